// The public API of nestjs-plugin-host. Everything not exported here is internal.
export { PluginModule } from './plugin.module.js';
export { PluginAdminModule, type PluginAdminOptions } from './admin/index.js';
export type {
  PluginDiscoveryOptions,
  PluginModuleAsyncOptions,
  PluginModuleOptions,
  PluginModuleStaticOptions,
  PluginModuleSyncOptions,
} from './plugin-module-options.interface.js';

export { Plugin, PluginType, type OptionalRequirement, type PluginMetadata, type PluginTimeouts, type PluginTypeName } from './manifest/index.js';
export type {
  AlgorithmPlugin,
  DataSourcePlugin,
  DetectionResult,
  Matrix,
  OutputPlugin,
  PluginContext,
  PluginHealth,
  PluginLifecycle,
  PluginPhaseContext,
  ProcessingPlugin,
} from './contracts/index.js';
export { InjectPlugin, InjectPlugins, getPluginToken, getPluginTypeToken } from './injection/index.js';
export {
  PluginManager,
  type AuditEntry,
  type OperationContext,
  type PluginInfo,
  type PluginListFilter,
  type PluginOperationResult,
  type PluginReportEntry,
  type PluginStartupReport,
} from './manager/index.js';
export { PluginHealthIndicator, type PluginHealthEntry } from './health/index.js';
export { OnHook, PluginHooks, type HookContext, type HookResult, type OnHookOptions } from './hooks/index.js';
export { PluginState, type PluginEvent, type PluginEventName, type PluginSource, type PluginTimings } from './registry/index.js';
export { PluginError, PluginErrorCode, PluginErrorFilter } from './errors/index.js';
export {
  assertMatrix,
  matrixProblems,
  resolveInside,
  fileNameError,
  assertRegularFileOrAbsent,
  schemaProblems,
  jsonShapeProblem,
  MAX_JSON_DEPTH,
  type MatrixRules,
  type SchemaProblemsOptions,
} from './toolkit/index.js';
// Resolves and validates a plugin's config as the host does (the isolated plugins' runtime uses it).
export { resolvePluginConfig, type ConfigSources, type ResolvedConfig } from './config/index.js';
export { LIBRARY_VERSION } from './version.js';
