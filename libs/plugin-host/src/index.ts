// The public API of nestjs-plugin-host. Everything not exported here is internal, except three subpaths: the admin
// routes, `nestjs-plugin-host/admin` (admin/index.ts), the Redis state store, `nestjs-plugin-host/redis`
// (redis/index.ts), and what isolated plugins' runtime uses, `nestjs-plugin-host/runtime` (runtime.ts).
//
// What this file loads is what importing the library costs, and an ES module costs about half a millisecond a file
// before any of its code runs. So values come from the files that declare them, not through folder faces (a face loads
// its whole folder; types may, they are erased), and nothing here loads what only a booting app needs: PluginModule
// loads that as the app boots (boot.ts).
export { PluginModule } from './plugin.module.js';
export type { PluginDiscoveryOptions } from './discovery/discovery-options.js';
export type {
  PluginFeatureOptions,
  PluginModuleAsyncOptions,
  PluginModuleOptions,
  PluginModuleStaticOptions,
  PluginModuleSyncOptions,
  PluginOptionsFactory,
} from './plugin-module-options.interface.js';

export { Plugin } from './manifest/plugin.decorator.js';
export type { PluginTypeName } from './manifest/plugin-type.js';
export type { OptionalRequirement, PluginMetadata, PluginTimeouts } from './manifest/index.js';
export type { PluginContext, PluginHealth, PluginLifecycle, PluginPhaseContext } from './contracts/index.js';
export { InjectPlugin, InjectPlugins } from './injection/inject-plugin.decorator.js';
export { getPluginToken, getPluginTypeToken } from './injection/plugin-tokens.js';
export { PluginManager } from './manager/plugin-manager.js';
export type {
  AuditEntry,
  OperationContext,
  PluginInfo,
  PluginListFilter,
  PluginOperationResult,
  PluginReportEntry,
  PluginStartupReport,
} from './manager/index.js';
export { PluginHealthIndicator, type PluginHealthEntry } from './health/plugin-health.indicator.js';
export { OnHook, type OnHookOptions } from './manifest/on-hook.decorator.js';
export { PluginHooks, type HookContext, type HookResult } from './hooks/plugin-hooks.service.js';
export { PluginState } from './registry/plugin-state.js';
export type { PluginEvent, PluginEventName, PluginSource, PluginTimings } from './registry/index.js';
export { PluginError } from './errors/plugin-error.js';
export { PluginErrorCode } from './errors/plugin-error-code.js';
export { PluginErrorFilter } from './errors/plugin-error.filter.js';
export { resolveInside } from './toolkit/confined-path.js';
export { assertRegularFileOrAbsent, fileNameError } from './toolkit/file-errors.js';
export { schemaProblems, type SchemaProblemsOptions } from './toolkit/schema-problems.js';
export { MAX_JSON_DEPTH, jsonShapeProblem } from './toolkit/json-shape.js';
export { LIBRARY_VERSION } from './version.js';
export { InMemoryPluginStateStore } from './state/in-memory-state-store.js';
export type {
  DesiredPluginState,
  PluginStateChange,
  PluginStateCommit,
  PluginStateCommitResult,
  PluginStateListener,
  PluginStateOptions,
  PluginStateStore,
  PluginStateSubscription,
  ReplicaInfo,
  StoredPluginState,
  VersionedPluginState,
} from './contracts/plugin-state-store.interface.js';
