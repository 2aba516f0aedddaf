// @nestjs-plugin-host/anomaly-contracts: what the plugins of an anomaly-detection platform and their host agree on,
// kept out of nestjs-plugin-host, which hosts plugins of any kind.
export { PluginType, type PluginTypeValue } from './plugin-type.js';
export type {
  AlgorithmPlugin,
  DataSourcePlugin,
  DetectionResult,
  Matrix,
  OutputPlugin,
  ProcessingPlugin,
} from './plugin-kinds.interface.js';
export { assertMatrix, matrixProblems, type MatrixRules } from './matrix.js';
