// `nestjs-plugin-host/admin`: the opt-in admin routes, a subpath of their own so that importing the library does not
// load them (a host that mounts them imports this).
export { PluginAdminModule } from './plugin-admin.module.js';
export type { PluginAdminOptions } from './admin-options.js';
