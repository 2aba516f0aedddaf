export { PluginState } from './plugin-state.js';
export type { PluginRecord, PluginSource, PluginTimings } from './plugin-record.js';
export { PluginRegistry } from './plugin-registry.js';
