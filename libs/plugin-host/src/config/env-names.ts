/** `data-source` → `DATA_SOURCE`, `nEstimators` → `N_ESTIMATORS`. */
export function toUpperSnake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
}

/** The env var naming a JSON config file for a plugin: `PLUGIN_<NAME>_CONFIG`. */
export function configFileEnvName(plugin: string): string {
  return `PLUGIN_${toUpperSnake(plugin)}_CONFIG`;
}

/** The prefix of a plugin's per-key env vars: `PLUGIN_<NAME>_`. */
export function configEnvPrefix(plugin: string): string {
  return `PLUGIN_${toUpperSnake(plugin)}_`;
}
