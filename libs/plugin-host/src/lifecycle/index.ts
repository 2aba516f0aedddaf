export { LazyLoader } from './lazy-loader.js';
export { LifecycleRunner } from './lifecycle-runner.js';
export { PluginLoader, type Instantiate } from './plugin-loader.js';
export { PluginLocks } from './plugin-locks.js';
export { PluginPhases } from './plugin-phases.js';
export { resolveOptions } from './resolved-options.js';
export { timeoutsFor } from './run-phase.js';
export { RuntimeOperations, type OperationEffects } from './runtime-operations.js';
