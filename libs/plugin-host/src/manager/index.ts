export { PluginManager } from './plugin-manager.js';
export type { PluginInfo, PluginListFilter, PluginReportEntry, PluginStartupReport } from './plugin-info.interface.js';
