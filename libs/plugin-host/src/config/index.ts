export { resolvePluginConfig, mergeConfigPatch, type ResolvedConfig } from './plugin-config.js';
