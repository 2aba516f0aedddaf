import { Injectable } from '@nestjs/common';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import { LifecycleRunner, RuntimeOperations, startupPhases, type OperationEffects } from '../lifecycle/index.js';
import { PluginRegistry, PluginState, type PluginEvent, type PluginEventName, type PluginRecord } from '../registry/index.js';
import { jsonShapeProblem } from '../toolkit/index.js';
import { AuditLog, type AuditEntry, type OperationContext } from './audit-log.js';
import type { PluginInfo, PluginListFilter, PluginOperationResult, PluginReportEntry, PluginStartupReport } from './plugin-info.interface.js';

/**
 * What the host app asks about its plugins at runtime. Inject it anywhere
 * (PluginModule is global by default).
 */
@Injectable()
export class PluginManager {
  private readonly auditLog = new AuditLog();

  constructor(
    private readonly registry: PluginRegistry,
    private readonly runner: LifecycleRunner,
    private readonly operations: RuntimeOperations,
  ) {}

  /**
   * Enables a plugin (its dependencies first) and initializes it: a disabled or
   * failed plugin starts again, a lazy one loads.
   *
   * @throws PluginError why it could not start (`PLUGIN_INIT_FAILED`, `PLUGIN_DEPENDENCY_MISSING`, ...); a refused declaration (`PLUGIN_MANIFEST_INVALID`, `PLUGIN_INCOMPATIBLE`, ...) needs a `reload` after the fix
   * @example
   * const { state, alsoEnabled } = await plugins.enable('sklearn');
   */
  enable(name: string, context?: OperationContext): Promise<PluginOperationResult> {
    return this.operate('enable', name, context, () => this.operations.enable(name));
  }

  /**
   * Disables a plugin: the enabled plugins that depend on it are disabled first
   * (listed in `alsoDisabled`); new calls fail fast with `PLUGIN_DISABLED`; calls
   * in flight are awaited (at most the cleanup timeout); then `cleanup` runs.
   *
   * @example
   * const { alsoDisabled } = await plugins.disable('csv');
   */
  disable(name: string, context?: OperationContext): Promise<PluginOperationResult> {
    return this.operate('disable', name, context, () => this.operations.disable(name));
  }

  /**
   * Re-reads the plugin's manifest and re-imports its code from disk, initializes
   * the new instance with the current config, then moves every reference over to
   * it (calls in flight finish on the old one, which is then cleaned up). On any
   * failure the running instance keeps serving and the error is thrown.
   *
   * @example
   * await plugins.reload('pyod'); // services holding @InjectPlugin('pyod') now call the new code
   */
  reload(name: string, context?: OperationContext): Promise<PluginOperationResult> {
    return this.operate('reload', name, context, async () => {
      await this.operations.reload(name);
      return undefined;
    });
  }

  /**
   * Merges `patch` over the plugin's config (above every other source), validates
   * the result, and applies it: through `configure(config)` when the plugin has it,
   * else by initializing a new instance with it. A disabled plugin gets it when enabled.
   *
   * @throws PluginError `PLUGIN_CONFIG_INVALID` (nothing changed): a key the schema does not declare, a prototype key (`__proto__`, `constructor`, `prototype`), a patch nested deeper than 32 levels, a bad value; or the error of `configure` / `initialize`
   * @example
   * await plugins.updateConfig('pyod', { contamination: 0.05 });
   */
  updateConfig(name: string, patch: Record<string, unknown>, context?: OperationContext): Promise<PluginOperationResult> {
    return this.operate('updateConfig', name, context, async () => {
      this.registry.require(name); // PLUGIN_NOT_FOUND before anything about the patch
      // A prototype key is never a config key (a merge would follow it into a prototype), and a deep patch would overflow the merge and validation.
      const problem = jsonShapeProblem(patch);
      if (problem) {
        throw new PluginError(PluginErrorCode.CONFIG_INVALID, `plugin "${name}": the config update ${problem}. Give the config keys to change.`, {
          plugin: name,
          phase: 'configure',
        });
      }
      await this.operations.updateConfig(name, patch);
      return undefined;
    });
  }

  /**
   * Runs `fn` with the plugin enabled, then restores its previous state, also when
   * `fn` throws. Overlapping blocks on one plugin share one enable.
   *
   * @example
   * const scores = await plugins.withPlugin<number[], AlgorithmPlugin>('sklearn', async (sk) => (await sk.predict(await sk.fit(rows), rows)).scores);
   */
  withPlugin<T, P = unknown>(name: string, fn: (plugin: P) => T | Promise<T>): Promise<T> {
    return this.operations.withPlugin(name, fn);
  }

  /**
   * Listens to plugin events: `plugin.enabled`, `plugin.disabled`, `plugin.failed`,
   * `plugin.reloaded`, `plugin.config-updated` (and `plugin.loaded`, `plugin.discovered`).
   * Returns a function that stops listening.
   *
   * @example
   * plugins.on('plugin.failed', (event) => alerts.send(`${event.plugin}: ${event.error?.message}`));
   */
  on(event: PluginEventName, listener: (event: PluginEvent) => void): () => void {
    this.registry.events.on(event, listener);
    return () => this.registry.events.off(event, listener);
  }

  /** The last 1000 runtime changes (operation, plugin, route and actor when known, outcome), oldest first. */
  audit(): AuditEntry[] {
    return this.auditLog.list();
  }

  private async operate(
    operation: string,
    name: string,
    context: OperationContext | undefined,
    run: () => Promise<OperationEffects | undefined>,
  ): Promise<PluginOperationResult> {
    const entry: AuditEntry = { time: new Date().toISOString(), operation, plugin: name, ...context, outcome: 'ok' };
    try {
      const effects = await run();
      this.auditLog.add(entry);
      return {
        ...this.info(name),
        ...(effects?.alsoEnabled.length && { alsoEnabled: effects.alsoEnabled }),
        ...(effects?.alsoDisabled.length && { alsoDisabled: effects.alsoDisabled }),
      };
    } catch (error) {
      this.auditLog.add({
        ...entry,
        outcome: 'error',
        ...(error instanceof PluginError ? { code: error.code } : {}),
        message: (error as Error)?.message ?? String(error),
      });
      throw error;
    }
  }

  /**
   * Every plugin, dependencies first, optionally filtered.
   *
   * @example
   * plugins.list({ type: PluginType.ALGORITHM, state: PluginState.ENABLED }).map((p) => p.name)
   */
  list(filter: PluginListFilter = {}): PluginInfo[] {
    return this.registry
      .all()
      .filter((record) => (filter.type === undefined || record.metadata.type === filter.type) && (filter.state === undefined || record.state === filter.state))
      .map(toInfo);
  }

  /**
   * The live plugin, the same object `@InjectPlugin(name)` gives.
   *
   * @throws PluginError `PLUGIN_NOT_FOUND` (no such plugin) or `PLUGIN_DISABLED` (not enabled, with the reason)
   * @example
   * const pyod = plugins.get<AlgorithmPlugin>('pyod');
   */
  get<T = unknown>(name: string): T {
    const record = this.registry.require(name);
    if (record.state !== PluginState.ENABLED) throw this.registry.unavailableError(record);
    return this.registry.referenceOf(name) as T;
  }

  /**
   * Imports and initializes a lazy plugin now (its first use would otherwise do it).
   * Concurrent calls share one load. Resolves with the plugin's info once it is enabled;
   * at once for a plugin that already is.
   *
   * @throws PluginError why it could not be loaded (the plugin is then `failed` with it), or `PLUGIN_DISABLED`
   * @example
   * await plugins.load('sklearn');
   */
  async load(name: string): Promise<PluginInfo> {
    await this.runner.load(name);
    return this.info(name);
  }

  /**
   * State, version, type, source, error and timings of one plugin.
   *
   * @throws PluginError `PLUGIN_NOT_FOUND`
   * @example
   * const { state, error } = plugins.info('pyod');
   */
  info(name: string): PluginInfo {
    return toInfo(this.registry.require(name));
  }

  /**
   * The startup report: every plugin with its outcome and ms per phase.
   *
   * @example
   * logger.log(JSON.stringify(plugins.report(), null, 2));
   */
  report(): PluginStartupReport {
    const summary: PluginStartupReport['summary'] = {};
    const plugins = this.registry.all().map((record): PluginReportEntry => {
      summary[record.state] = (summary[record.state] ?? 0) + 1;
      const { phases, totalMs } = startupPhases(record.timings);
      return {
        name: record.name,
        version: record.metadata.version,
        type: record.metadata.type,
        source: record.source.description,
        outcome: record.state,
        ...(record.error && { error: { code: record.error.code, message: record.error.message } }),
        phases,
        totalMs,
      };
    });
    return {
      hostVersion: this.registry.hostVersion,
      startedAt: this.registry.startedAt.toISOString(),
      durationMs: this.runner.startupMs,
      summary,
      plugins,
    };
  }
}

function toInfo(record: PluginRecord): PluginInfo {
  const { metadata } = record;
  return {
    name: record.name,
    type: metadata.type,
    version: metadata.version,
    ...(metadata.description !== undefined && { description: metadata.description }),
    state: record.state,
    source: { ...record.source },
    required: record.required,
    lazy: record.lazy,
    ...(metadata.compatibility !== undefined && { compatibility: metadata.compatibility }),
    dependencies: { ...metadata.dependencies },
    ...(record.error && { error: { code: record.error.code, message: record.error.message } }),
    timings: { ...record.timings },
    warnings: [...record.warnings],
  };
}
