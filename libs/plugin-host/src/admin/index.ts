// `nestjs-plugin-host/admin`: the opt-in admin routes, a subpath of their own so that importing the library does not
// load them (a host that mounts them imports this).
export { PluginAdminModule, type PluginAdminAsyncOptions } from './plugin-admin.module.js';
export type {
  PluginAdminOptions,
  PluginAdminOptionsFactory,
  PluginAdminRuntimeOptions,
  PluginAdminStaticOptions,
} from './admin-options.js';
