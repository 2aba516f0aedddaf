export { PluginState } from './plugin-state.js';
export type { PluginPackage, PluginRecord, PluginSource, PluginTimings } from './plugin-record.js';
export { PluginRegistry, type PendingCalls, type RecordObserver } from './plugin-registry.js';
export type { PluginEvent, PluginEventName } from './plugin-events.js';
