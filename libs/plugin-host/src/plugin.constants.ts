import type { PluginTimeouts } from './manifest/index.js';

/** The runtime options as the host gave them. */
export const PLUGIN_MODULE_OPTIONS = 'nestjs-plugin-host:options';
/** The runtime options, checked and with defaults applied. */
export const RESOLVED_PLUGIN_OPTIONS = 'nestjs-plugin-host:resolved-options';
// The parts built at boot are provided under these tokens rather than as their classes: a class token would load
// their code (the loader, lifecycle and everything they use) when the library is imported. In data-flow order: each
// is built from the ones before it (host-providers.ts).
/** The `PluginRegistry`: every plugin's record and state. */
export const PLUGIN_REGISTRY = 'nestjs-plugin-host:registry';
/** The `PluginPhases`: one plugin's config, initialize and cleanup. */
export const PLUGIN_PHASES = 'nestjs-plugin-host:phases';
/** The `IsolationSupervisor`: the worker and process isolates. */
export const ISOLATION_SUPERVISOR = 'nestjs-plugin-host:isolation-supervisor';
/** The `PluginLoader`, once every plugin found at boot is loaded. */
export const PLUGIN_LOADER = 'nestjs-plugin-host:loader';
/** The `LazyLoader`: lazy plugins on first use. */
export const LAZY_LOADER = 'nestjs-plugin-host:lazy-loader';
/** The `PluginReferences`: what `@InjectPlugin` and `@InjectPlugins` inject. */
export const PLUGIN_REFERENCES = 'nestjs-plugin-host:references';
/** The `PluginExports`: what module plugins' `exports` are injected as. */
export const PLUGIN_EXPORTS = 'nestjs-plugin-host:exports';
/** The `LifecycleRunner`: every plugin started with the app and stopped with it. */
export const LIFECYCLE_RUNNER = 'nestjs-plugin-host:lifecycle-runner';
/** The `PluginRoutes`: module plugins' routes. */
export const PLUGIN_ROUTES = 'nestjs-plugin-host:routes';
/** The `RuntimeOperations`: enable, disable, reload, reconfigure. */
export const RUNTIME_OPERATIONS = 'nestjs-plugin-host:runtime-operations';
/** The `StateBoot`: the replicas' state store and what it held at boot (`undefined` without `state`). */
export const STATE_BOOT = 'nestjs-plugin-host:state-boot';
/** The `StateSync`: operations through the replicas' state store (`undefined` without `state`). */
export const STATE_SYNC = 'nestjs-plugin-host:state-sync';

export const DEFAULT_TIMEOUTS: Readonly<PluginTimeouts> = {
  initialize: 10_000,
  cleanup: 5_000,
  healthCheck: 2_000,
  hook: 5_000,
};
