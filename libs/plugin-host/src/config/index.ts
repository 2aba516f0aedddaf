export { resolvePluginConfig, coerceEnvValue, type ConfigSources, type ResolvedConfig } from './plugin-config.js';
export { toUpperSnake, configEnvPrefix, configFileEnvName } from './env-names.js';
