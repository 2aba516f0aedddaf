export type { PluginContext, PluginPhaseContext } from './plugin-context.interface.js';
export type { PluginHealth } from './plugin-health.interface.js';
export type { PluginLifecycle } from './plugin-lifecycle.interface.js';
export type { AuditEntry } from './audit-entry.interface.js';
export type * from './plugin-state-store.interface.js';
