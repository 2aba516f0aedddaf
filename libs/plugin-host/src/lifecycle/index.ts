export { LifecycleRunner } from './lifecycle-runner.js';
export { gateContext, loadPlugins } from './plugin-loader.js';
export { resolveOptions } from './resolved-options.js';
export { timeoutsFor } from './run-phase.js';
export { RuntimeOperations, type OperationEffects } from './runtime-operations.js';
