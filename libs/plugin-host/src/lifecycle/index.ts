export { LifecycleRunner } from './lifecycle-runner.js';
export {
  admit,
  admitOrThrow,
  importWithin,
  classProblem,
  gateContext,
  loadPlugins,
  blockingDependency,
  dependencyProblem,
  instantiatePlugin,
  loadPluginCode,
  type LoadInput,
} from './plugin-loader.js';
export { resolveOptions, type ResolvedPluginOptions } from './resolved-options.js';
export { PhaseSignal, runPhase, timeoutsFor, type PhaseOutcome, type PluginPhase } from './run-phase.js';
export { dependencyOrder, findCycles, type DependencyGraph } from './dependency-graph.js';
export { roundMs, startupPhases } from './startup-timing.js';
export { RuntimeOperations, type OperationEffects } from './runtime-operations.js';
