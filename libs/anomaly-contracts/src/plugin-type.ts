/**
 * The plugin types of an anomaly-detection platform (the ones the seeds name). The host itself takes any string as a
 * type: these are names, so plugins and hosts spell them alike.
 *
 * @example
 * @Plugin({ name: 'pyod', type: PluginType.ALGORITHM, version: '2.0.0', compatibility: '^0.1.0' })
 * constructor(@InjectPlugins(PluginType.ALGORITHM) algorithms: AlgorithmPlugin[]) {}
 */
export const PluginType = {
  ALGORITHM: 'algorithm',
  DATA_SOURCE: 'data-source',
  OUTPUT: 'output',
  PROCESSING: 'processing',
  FRAMEWORK: 'framework',
  LOGGING: 'logging',
  REGISTRY: 'registry',
  DEPLOYMENT: 'deployment',
  ARTIFACT: 'artifact',
  UI: 'ui',
} as const;

/** One of `PluginType`'s values. */
export type PluginTypeValue = (typeof PluginType)[keyof typeof PluginType];
