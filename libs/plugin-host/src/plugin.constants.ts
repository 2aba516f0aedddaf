import type { PluginTimeouts } from './manifest/index.js';

/** The runtime options as the host gave them. */
export const PLUGIN_MODULE_OPTIONS = 'nestjs-plugin-host:options';
/** The runtime options, checked and with defaults applied. */
export const RESOLVED_PLUGIN_OPTIONS = 'nestjs-plugin-host:resolved-options';
/** The static part: classes and discovery switches. */
export const PLUGIN_STATIC_OPTIONS = 'nestjs-plugin-host:static-options';

// The parts built at boot are provided under these tokens rather than as their classes: a class token would load
// their code (the loader, lifecycle and everything they use) when the library is imported.
/** The `PluginRegistry`. */
export const PLUGIN_REGISTRY = 'nestjs-plugin-host:registry';
/** The `LifecycleRunner`. */
export const LIFECYCLE_RUNNER = 'nestjs-plugin-host:lifecycle-runner';
/** The `RuntimeOperations`. */
export const RUNTIME_OPERATIONS = 'nestjs-plugin-host:runtime-operations';

export const DEFAULT_TIMEOUTS: Readonly<PluginTimeouts> = {
  initialize: 10_000,
  cleanup: 5_000,
  healthCheck: 2_000,
  hook: 5_000,
};
