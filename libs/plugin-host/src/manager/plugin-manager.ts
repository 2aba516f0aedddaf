import { Injectable } from '@nestjs/common';
import { LifecycleRunner, startupPhases } from '../lifecycle/index.js';
import { PluginRegistry, PluginState, type PluginRecord } from '../registry/index.js';
import type { PluginInfo, PluginListFilter, PluginReportEntry, PluginStartupReport } from './plugin-info.interface.js';

/**
 * What the host app asks about its plugins at runtime. Inject it anywhere
 * (PluginModule is global by default).
 */
@Injectable()
export class PluginManager {
  constructor(
    private readonly registry: PluginRegistry,
    private readonly runner: LifecycleRunner,
  ) {}

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
