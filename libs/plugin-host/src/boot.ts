// What PluginModule builds as the app boots: loaded then (PluginModule's providers import it), not when the library
// is imported, so that declaring the module stays cheap. The isolates' code loads later still, with the first plugin
// that runs in a worker or a process (see IsolationSupervisor).
export { createSupervisor, loadAtBoot } from './boot-loading.js';
export { PluginHealthChecks } from './health/index.js';
export { HookRunner } from './hooks/index.js';
export { PluginExports, PluginReferences } from './injection/index.js';
export { LazyLoader, LifecycleRunner, PluginPhases, RuntimeOperations, resolveOptions } from './lifecycle/index.js';
export { RegistryPluginManager } from './manager/index.js';
export { PluginRegistry } from './registry/index.js';
export { openState, StateSync, storedDisabled } from './state/index.js';
