export { resolvePluginConfig, coerceEnvValue, mergeConfigPatch, type ConfigSources, type ResolvedConfig } from './plugin-config.js';
export { toUpperSnake, configEnvPrefix, configFileEnvName } from './env-names.js';
