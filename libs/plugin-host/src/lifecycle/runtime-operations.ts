import type { Type } from '@nestjs/common';
import { mergeConfigPatch } from '../config/index.js';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import type { IsolationSupervisor } from '../isolation/index.js';
import { PluginState, type PluginRecord, type PluginRegistry } from '../registry/index.js';
import { blockingDependency, dependencyNames, dependencyProblem } from './dependency-checks.js';
import { dependencyCycleError } from './dependency-graph.js';
import { InstanceReplacement, UNCHANGED, isIsolated } from './instance-replacement.js';
import type { LazyLoader } from './lazy-loader.js';
import { classProblem } from './load-checks.js';
import { PluginLocks } from './plugin-locks.js';
import type { PluginLoader } from './plugin-loader.js';
import type { PluginPhases } from './plugin-phases.js';
import type { ResolvedPluginOptions } from './resolved-options.js';
import { phaseError } from './run-phase.js';

/** Other plugins an operation changed on the way (dependencies enabled first, dependents disabled first). */
export interface OperationEffects {
  alsoEnabled: string[];
  alsoDisabled: string[];
}

// Failures of the plugin set itself, which no change to one plugin's files fixes (a restart does). Everything else the
// gate decides afresh: a plugin refused for its trust, manifest, compatibility or requirements stays refused until the
// policy or its files change, and enable says why.
const REFUSALS = new Set<string>([PluginErrorCode.DUPLICATE, PluginErrorCode.DEPENDENCY_CYCLE]);

/**
 * Enable, disable, reload and reconfigure plugins while the app serves. Each
 * operation holds the locks of every plugin it touches, so operations on one
 * plugin run one after the other and never interleave. A plugin being replaced
 * (reload, re-initialization) keeps serving until its successor is initialized;
 * then calls move over, the calls in flight on the old instance are awaited
 * (bounded by the cleanup timeout) and the old instance is cleaned up.
 */
export class RuntimeOperations {
  private readonly locks = new PluginLocks();
  private readonly replacement: InstanceReplacement;

  constructor(
    private readonly registry: PluginRegistry,
    private readonly loader: PluginLoader,
    private readonly lazy: LazyLoader,
    private readonly phases: PluginPhases,
    private readonly supervisor: IsolationSupervisor,
    options: ResolvedPluginOptions,
  ) {
    this.replacement = new InstanceReplacement(registry, loader, phases, supervisor, options);
  }

  async enable(name: string): Promise<OperationEffects> {
    const record = this.registry.require(name);
    const effects: OperationEffects = { alsoEnabled: [], alsoDisabled: [] };
    await this.locks.run([name, ...this.dependenciesOf(record)], () => this.enableLocked(record, effects, []));
    return effects;
  }

  async disable(name: string): Promise<OperationEffects> {
    const record = this.registry.require(name);
    const dependents = this.enabledDependentsOf(record);
    const effects: OperationEffects = { alsoEnabled: [], alsoDisabled: [] };
    await this.locks.run([name, ...dependents.map((dependent) => dependent.name)], async () => {
      // Dependents of dependents first: reverse dependency order.
      for (const dependent of dependents) {
        if (await this.stopLocked(dependent)) effects.alsoDisabled.push(dependent.name);
      }
      await this.stopLocked(record);
    });
    return effects;
  }

  /**
   * Re-reads the manifest and re-imports the plugin's code (a package plugin; a
   * class plugin gets a new instance of its class), initializes the new instance
   * with the current config, then moves calls over. If anything fails the old
   * instance keeps serving and the error is thrown.
   */
  async reload(name: string): Promise<void> {
    const record = this.registry.require(name);
    // Nothing loaded to replace (refused or failed before its code loaded): loading it is what enable does, with its checks.
    if (!record.pluginClass || (record.state === PluginState.FAILED && !record.instance))
      return void (await this.enable(name));
    await this.locks.run([name], async () => {
      // The gate first, on the files as they are now (it decides the tier of a plugin refused before it had one); a
      // refusal leaves the running instance serving.
      const admission = this.loader.admitOrThrow(record);
      const { pluginClass, metadata, pkg } = record.package
        ? isIsolated(record)
          ? { metadata: admission.metadata, pkg: admission.pkg, pluginClass: this.classOf(record) } // a new isolate imports the new code
          : await this.replacement.reimport(record, admission)
        : { pluginClass: this.classOf(record), metadata: record.metadata, pkg: undefined };
      await this.replacement.replace(record, pluginClass, metadata, record.configUpdates, admission);
      if (pkg) this.registry.setPackage(record, pkg);
      this.registry.emit('plugin.reloaded', record);
    });
  }

  /**
   * Merges `patch` over the plugin's config and validates the result. An enabled
   * plugin gets it through `configure(config)` when it has one, else through a new
   * instance initialized with it; a plugin not running keeps it for its next start.
   */
  async updateConfig(name: string, patch: unknown): Promise<void> {
    const record = this.registry.require(name);
    if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
      throw new PluginError(
        PluginErrorCode.CONFIG_INVALID,
        `plugin "${name}": a config update must be an object of config keys, got ${JSON.stringify(patch)}.`,
        {
          plugin: name,
        },
      );
    }
    await this.locks.run([name], () =>
      this.applyConfig(record, mergeConfigPatch(record.configUpdates, patch as Record<string, unknown>)),
    );
  }

  /** Replaces the plugin's `updateConfig` layer as a whole (what another replica applied), as `updateConfig` applies it. */
  async setConfigUpdates(name: string, updates: Record<string, unknown>): Promise<void> {
    const record = this.registry.require(name);
    await this.locks.run([name], () => this.applyConfig(record, updates));
  }

  /** Validates `updates` as the plugin's `updateConfig` layer, changing nothing. @throws PluginError `PLUGIN_CONFIG_INVALID` */
  async checkConfig(name: string, updates: Record<string, unknown>): Promise<void> {
    const record = this.registry.require(name);
    await this.phases.resolveConfig(record, record.metadata, updates);
  }

  private async applyConfig(record: PluginRecord, updates: Record<string, unknown>): Promise<void> {
    const { config } = await this.phases.resolveConfig(record, record.metadata, updates); // throws PLUGIN_CONFIG_INVALID, changing nothing
    const plugin = record.instance as { configure?: (config: object, ctx: object) => unknown } | undefined;
    if (record.state !== PluginState.ENABLED) {
      this.registry.setConfig(record, { updates });
    } else if (plugin && typeof plugin.configure === 'function') {
      const failure = await this.phases.configure(record, plugin.configure.bind(plugin), config);
      if (failure !== undefined) throw phaseError(record.name, 'configure', failure, UNCHANGED);
      this.registry.setConfig(record, { updates, config });
    } else {
      await this.replacement.replace(record, this.classOf(record), record.metadata, updates);
      this.registry.setConfig(record, { updates });
    }
    this.registry.emit('plugin.config-updated', record);
  }

  private async enableLocked(record: PluginRecord, effects: OperationEffects, chain: string[]): Promise<void> {
    if (record.state === PluginState.ENABLED) return;
    if (record.lazy && record.state === PluginState.DISCOVERED) return this.lazy.load(record.name);
    if (record.state === PluginState.FAILED && record.error && REFUSALS.has(record.error.code)) throw record.error;
    const missing = dependencyProblem(this.registry, record);
    if (missing) throw missing;
    for (const dependency of dependencyNames(record)) {
      const found = this.registry.require(dependency);
      if (found.state === PluginState.ENABLED) continue;
      if (chain.includes(dependency))
        throw dependencyCycleError(record.name, [...chain.slice(chain.indexOf(dependency)), record.name, dependency]);
      await this.enableLocked(found, effects, [...chain, record.name]);
      effects.alsoEnabled.push(dependency);
    }
    const blocked = blockingDependency(this.registry, record);
    if (blocked) throw blocked;

    // Code is imported, or a class built, only through the gate (loadPluginCode runs it; so does an isolate's spawn).
    if (isIsolated(record)) {
      // An operator's enable starts a quarantined or crashed plugin afresh.
      this.supervisor.forgive(record.name);
      if (!this.supervisor.isolateOf(record.name) && !(await this.loader.loadCode(record))) throw this.failure(record);
    } else if (!record.pluginClass) {
      if (!(await this.loader.loadCode(record))) throw this.failure(record);
    } else if (!record.instance) {
      // A class never built (refused at boot, or its construction failed): the gate, and the class's own checks, first.
      const gate = this.loader.context();
      const admission = this.loader.admit(record, gate);
      const warn = (line: string): void => this.registry.addWarning(record, line);
      const problem = admission ? classProblem(record, admission.metadata, gate, warn) : this.failure(record);
      if (problem) {
        this.registry.transition(record, PluginState.FAILED, problem);
        throw problem;
      }
    }
    if (!record.instance) {
      await this.loader.instantiate(record);
      if ((record.state as PluginState) === PluginState.FAILED) throw this.failure(record);
    }
    this.registry.transition(record, PluginState.LOADED);
    await this.lazy.start(record);
    if ((record.state as PluginState) !== PluginState.ENABLED) throw this.failure(record);
  }

  /** Stops one plugin: no new calls, the calls in flight awaited, then `cleanup`. Returns whether it was running. */
  private async stopLocked(record: PluginRecord): Promise<boolean> {
    if (record.state === PluginState.DISCOVERED && record.lazy) {
      this.registry.transition(record, PluginState.DISABLED); // enabling loads it
      return false;
    }
    if (record.state !== PluginState.ENABLED) {
      if (record.state !== PluginState.FAILED) this.registry.transition(record, PluginState.DISABLED);
      return false;
    }
    const pending = this.registry.transition(record, PluginState.DISABLED);
    await this.replacement.drain(record, pending);
    const error = record.instance ? await this.phases.cleanup(record, record.instance) : undefined;
    if (isIsolated(record)) this.supervisor.stop(record.name); // its worker or process ends with it
    if (error) this.registry.transition(record, PluginState.FAILED, error);
    return true;
  }

  /** Why the plugin cannot be used now: the error it failed with, else why it cannot be called. */
  private failure(record: PluginRecord): PluginError {
    return record.error ?? this.registry.unavailableError(record);
  }

  private classOf(record: PluginRecord): Type<object> {
    if (record.pluginClass) return record.pluginClass;
    throw this.failure(record);
  }

  /** Every plugin `record` depends on, transitively. */
  private dependenciesOf(record: PluginRecord, seen = new Set<string>()): string[] {
    for (const dependency of dependencyNames(record)) {
      if (seen.has(dependency)) continue;
      seen.add(dependency);
      const found = this.registry.get(dependency);
      if (found) this.dependenciesOf(found, seen);
    }
    return [...seen];
  }

  /** The enabled plugins that depend on `record`, transitively, in reverse dependency order (the last to depend first). */
  private enabledDependentsOf(record: PluginRecord): PluginRecord[] {
    const affected = new Set<string>([record.name]);
    const dependents: PluginRecord[] = [];
    for (const candidate of this.registry.all()) {
      if (candidate.state !== PluginState.ENABLED || affected.has(candidate.name)) continue;
      if (dependencyNames(candidate).some((dependency) => affected.has(dependency))) {
        affected.add(candidate.name);
        dependents.push(candidate);
      }
    }
    return dependents.reverse();
  }
}
