/** `data-source` → `DATA_SOURCE`, `nEstimators` → `N_ESTIMATORS`. */
export function toUpperSnake(name: string): string {
  let snake = snakes.get(name);
  if (snake === undefined) {
    snake = name
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .replace(/[^A-Za-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .toUpperCase();
    snakes.set(name, snake);
  }
  return snake;
}

// Plugin names and config keys repeat on every config resolution: convert each once.
const snakes = new Map<string, string>();

/** The env var naming a JSON config file for a plugin: `PLUGIN_<NAME>_CONFIG`. */
export function configFileEnvName(plugin: string): string {
  return `PLUGIN_${toUpperSnake(plugin)}_CONFIG`;
}

/** The prefix of a plugin's per-key env vars: `PLUGIN_<NAME>_`. */
export function configEnvPrefix(plugin: string): string {
  return `PLUGIN_${toUpperSnake(plugin)}_`;
}
