// `nestjs-plugin-host/runtime`: what the runtime of isolated plugins (workers and child processes) takes from the
// copy of the library the plugin itself resolves, so its config is validated with the plugin's own class-validator,
// and its routes are read with the plugin's own Nest. Not for apps: `PluginModule` does this for in-process plugins.
export { resolvePluginConfig, type ConfigSources, type ResolvedConfig } from './config/plugin-config.js';
export { routeList, type PluginRoute } from './routes/route-list.js';
