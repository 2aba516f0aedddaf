// What PluginModule builds as the app boots: loaded then (PluginModule's providers import it), not when the library
// is imported, so that declaring the module stays cheap. The isolates' code loads later still, with the first plugin
// that runs in a worker or a process (see IsolationSupervisor).
export { discoverOptionClasses, discoverProviderClasses } from './discovery/index.js';
export { admitPlugin } from './gate/index.js';
export { PluginHealthChecks } from './health/index.js';
export { HookRunner } from './hooks/index.js';
export { checkPluginInjections } from './injection/injection-check.js';
export { instantiatePlugin } from './injection/instantiate-plugin.js';
// Not the isolation face: it carries the isolates' own code, which loads with the first isolate.
export { IsolationSupervisor } from './isolation/isolation-supervisor.js';
export {
  LifecycleRunner,
  RuntimeOperations,
  gateContext,
  loadPlugins,
  resolveOptions,
  timeoutsFor,
} from './lifecycle/index.js';
export { RegistryPluginManager } from './manager/index.js';
