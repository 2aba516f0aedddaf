export { PluginAdminModule } from './plugin-admin.module.js';
export type { PluginAdminOptions } from './admin-options.js';
