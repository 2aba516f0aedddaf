import { Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import type { PluginError } from '../errors/index.js';
import { PluginState, type PluginRecord, type PluginRegistry } from '../registry/index.js';
import { dependencyNames, dependencyProblem } from './dependency-checks.js';
import { dependencyCycleError } from './dependency-graph.js';
import type { PluginLoader } from './plugin-loader.js';
import type { PluginPhases } from './plugin-phases.js';
import { roundMs } from './startup-timing.js';

/**
 * Starts plugins with their lazy dependencies: a lazy plugin is imported and started on its first use (`load`), and
 * a plugin that starts now first loads the lazy plugins it depends on (`start`).
 */
export class LazyLoader {
  private readonly logger = new Logger('PluginHost');
  // Lazy plugins being loaded: concurrent first uses share one load.
  private readonly loading = new Map<string, Promise<void>>();

  constructor(
    private readonly registry: PluginRegistry,
    private readonly loader: PluginLoader,
    private readonly phases: PluginPhases,
  ) {}

  /**
   * Imports and starts a lazy plugin (its lazy dependencies first). Resolves at once for an enabled plugin; concurrent
   * calls share one load, and its failure (the plugin is then `failed`) rejects every one of them.
   *
   * @throws PluginError the reason the plugin cannot be used (`PLUGIN_DISABLED` when it is not lazy and not enabled)
   */
  load(name: string, chain: readonly string[] = []): Promise<void> {
    const record = this.registry.require(name);
    if (record.state === PluginState.ENABLED) return Promise.resolve();
    let pending = this.loading.get(name);
    if (!pending) {
      if (!record.lazy || record.state !== PluginState.DISCOVERED)
        return Promise.reject(this.registry.unavailableError(record));
      pending = this.loadLazy(record, [...chain, name]).finally(() => this.loading.delete(name));
      this.loading.set(name, pending);
    }
    return pending;
  }

  /** Initializes a `loaded` plugin once its dependencies can run, loading its lazy ones first; `enabled` or `failed` after. */
  async start(record: PluginRecord): Promise<void> {
    if (record.state !== PluginState.LOADED) return;
    for (const dependency of dependencyNames(record)) {
      const found = this.registry.get(dependency);
      if (found?.lazy && found.state === PluginState.DISCOVERED) await this.load(dependency).catch(() => undefined);
    }
    await this.phases.start(record);
  }

  private async loadLazy(record: PluginRecord, chain: string[]): Promise<void> {
    const started = performance.now();
    if (record.pluginClass || (await this.loader.loadCode(record))) {
      const problem = dependencyProblem(this.registry, record) ?? (await this.loadLazyDependencies(record, chain));
      if (problem) this.registry.transition(record, PluginState.FAILED, problem);
      else if (!record.instance) await this.loader.instantiate(record);
      await this.start(record);
    }
    const line = `${record.name}@${record.metadata.version} (lazy) ${record.state} on first use in ${roundMs(performance.now() - started)} ms`;
    if (record.state !== PluginState.ENABLED) {
      this.logger.warn(`${line}: ${record.error?.message ?? 'unknown error'}`);
      throw record.error ?? this.registry.unavailableError(record);
    }
    this.logger.log(line);
  }

  /** Loads the lazy plugins `record` depends on; a cycle among them is `PLUGIN_DEPENDENCY_CYCLE`. */
  private async loadLazyDependencies(record: PluginRecord, chain: string[]): Promise<PluginError | undefined> {
    for (const dependency of dependencyNames(record)) {
      if (chain.includes(dependency)) {
        return dependencyCycleError(record.name, [...chain.slice(chain.indexOf(dependency)), dependency]);
      }
      const found = this.registry.get(dependency);
      if (found?.lazy && found.state === PluginState.DISCOVERED)
        await this.load(dependency, chain).catch(() => undefined);
    }
    return undefined; // a dependency that failed to load is reported by blockingDependency
  }
}
