export { PluginManager } from './plugin-manager.js';
export { RegistryPluginManager } from './registry-plugin-manager.js';
export { type AuditEntry, type OperationContext } from './audit-log.js';
export type {
  PluginInfo,
  PluginListFilter,
  PluginOperationResult,
  PluginReportEntry,
  PluginStartupReport,
} from './plugin-info.interface.js';
