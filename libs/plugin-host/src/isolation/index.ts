export { IsolatedPlugin, isolatesExited, liveIsolates, type HostCall } from './isolated-plugin.js';
export { IsolationSupervisor, accessDenied, tokenName, type Starter, type SupervisorHost } from './isolation-supervisor.js';
export {
  DEFAULT_CRASH_BUDGET,
  ISOLATION_DEFAULTS,
  ISOLATION_TIERS,
  type CrashBudget,
  type IsolationRule,
  type IsolationSettings,
  type IsolationTier,
} from './isolation-settings.js';
export { PluginFaultGuard } from './fault-guard.js';
