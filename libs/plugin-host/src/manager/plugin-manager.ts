import type { PluginEvent, PluginEventName } from '../registry/index.js';
import type { AuditEntry, OperationContext } from './audit-log.js';
import type {
  PluginInfo,
  PluginListFilter,
  PluginOperationResult,
  PluginStartupReport,
} from './plugin-info.interface.js';

/**
 * What the host app asks about its plugins at runtime. Inject it anywhere
 * (PluginModule is global by default).
 *
 * The token to inject and its API: the app gets the implementation
 * (`RegistryPluginManager`) as it boots, so importing the library does not load it.
 */
export abstract class PluginManager {
  /**
   * Enables a plugin (its dependencies first) and initializes it: a disabled or
   * failed plugin starts again, a lazy one loads.
   *
   * @throws PluginError why it could not start (`PLUGIN_INIT_FAILED`, `PLUGIN_DEPENDENCY_MISSING`, ...); a refused declaration (`PLUGIN_MANIFEST_INVALID`, `PLUGIN_INCOMPATIBLE`, ...) needs a `reload` after the fix
   * @example
   * const { state, alsoEnabled } = await plugins.enable('sklearn');
   */
  abstract enable(name: string, context?: OperationContext): Promise<PluginOperationResult>;

  /**
   * Disables a plugin: the enabled plugins that depend on it are disabled first
   * (listed in `alsoDisabled`); new calls fail fast with `PLUGIN_DISABLED`; calls
   * in flight are awaited (at most the cleanup timeout); then `cleanup` runs.
   *
   * @example
   * const { alsoDisabled } = await plugins.disable('csv');
   */
  abstract disable(name: string, context?: OperationContext): Promise<PluginOperationResult>;

  /**
   * Re-reads the plugin's manifest and re-imports its code from disk, initializes
   * the new instance with the current config, then moves every reference over to
   * it (calls in flight finish on the old one, which is then cleaned up). On any
   * failure the running instance keeps serving and the error is thrown.
   *
   * @example
   * await plugins.reload('pyod'); // services holding @InjectPlugin('pyod') now call the new code
   */
  abstract reload(name: string, context?: OperationContext): Promise<PluginOperationResult>;

  /**
   * Merges `patch` over the plugin's config (above every other source), validates
   * the result, and applies it: through `configure(config)` when the plugin has it,
   * else by initializing a new instance with it. A disabled plugin gets it when enabled.
   *
   * @throws PluginError `PLUGIN_CONFIG_INVALID` (nothing changed): a key the schema does not declare, a prototype key (`__proto__`, `constructor`, `prototype`), a patch nested deeper than 32 levels, a bad value; or the error of `configure` / `initialize`
   * @example
   * await plugins.updateConfig('pyod', { contamination: 0.05 });
   */
  abstract updateConfig(
    name: string,
    patch: Record<string, unknown>,
    context?: OperationContext,
  ): Promise<PluginOperationResult>;

  /**
   * Runs `fn` with the plugin enabled, then restores its previous state, also when
   * `fn` throws. Overlapping blocks on one plugin share one enable.
   *
   * @example
   * const scores = await plugins.withPlugin<number[], AlgorithmPlugin>('sklearn', async (sk) => (await sk.predict(await sk.fit(rows), rows)).scores);
   */
  abstract withPlugin<T, P = unknown>(name: string, fn: (plugin: P) => T | Promise<T>): Promise<T>;

  /**
   * Listens to plugin events: `plugin.enabled`, `plugin.disabled`, `plugin.failed`,
   * `plugin.reloaded`, `plugin.config-updated` (and `plugin.loaded`, `plugin.discovered`).
   * Returns a function that stops listening.
   *
   * @example
   * plugins.on('plugin.failed', (event) => alerts.send(`${event.plugin}: ${event.error?.message}`));
   */
  abstract on(event: PluginEventName, listener: (event: PluginEvent) => void): () => void;

  /**
   * The last 1000 runtime changes (operation, plugin, route and actor when known, outcome), oldest first. With a state
   * store (`state`), every replica's changes, each with its `replica`.
   */
  abstract audit(): AuditEntry[];

  /**
   * The version of the shared plugin state this replica has applied (every change up to it): replicas that show the
   * same version run the same enable/disable/reload/config state. 0 without a state store.
   *
   * @example
   * const applied = plugins.stateVersion();
   */
  abstract stateVersion(): number;

  /**
   * Every plugin, dependencies first, optionally filtered.
   *
   * @example
   * plugins.list({ type: 'algorithm', state: PluginState.ENABLED }).map((p) => p.name)
   */
  abstract list(filter?: PluginListFilter): PluginInfo[];

  /**
   * The live plugin, the same object `@InjectPlugin(name)` gives.
   *
   * @throws PluginError `PLUGIN_NOT_FOUND` (no such plugin) or `PLUGIN_DISABLED` (not enabled, with the reason)
   * @example
   * const pyod = plugins.get<AlgorithmPlugin>('pyod');
   */
  abstract get<T = unknown>(name: string): T;

  /**
   * Imports and initializes a lazy plugin now (its first use would otherwise do it).
   * Concurrent calls share one load. Resolves with the plugin's info once it is enabled;
   * at once for a plugin that already is.
   *
   * @throws PluginError why it could not be loaded (the plugin is then `failed` with it), or `PLUGIN_DISABLED`
   * @example
   * await plugins.load('sklearn');
   */
  abstract load(name: string): Promise<PluginInfo>;

  /**
   * State, version, type, source, error and timings of one plugin.
   *
   * @throws PluginError `PLUGIN_NOT_FOUND`
   * @example
   * const { state, error } = plugins.info('pyod');
   */
  abstract info(name: string): PluginInfo;

  /**
   * The startup report: every plugin with its outcome and ms per phase.
   *
   * @example
   * logger.log(JSON.stringify(plugins.report(), null, 2));
   */
  abstract report(): PluginStartupReport;
}
