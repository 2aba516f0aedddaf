/**
 * The plugin types the seeds name. Any other string is a valid custom type:
 * `@Plugin({ type: 'notifier' })` works and gets its own `@InjectPlugins('notifier')` token.
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

/** A built-in type, or any custom string. */
// `string & {}` keeps editor completion for the built-in names.
export type PluginTypeName = (typeof PluginType)[keyof typeof PluginType] | (string & {});
