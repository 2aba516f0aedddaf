import { Logger, type Type } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import { mergeConfigPatch } from '../config/index.js';
import type { Admission } from '../gate/index.js';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import type { InFlightCalls } from '../injection/index.js';
import type { PluginMetadata } from '../manifest/index.js';
import { PluginState, type PluginPackage, type PluginRecord, type PluginRegistry } from '../registry/index.js';
import type { LifecycleRunner } from './lifecycle-runner.js';
import {
  admit,
  admitOrThrow,
  blockingDependency,
  classProblem,
  dependencyProblem,
  gateContext,
  importWithin,
  instantiatePlugin,
  loadPluginCode,
} from './plugin-loader.js';
import { PluginLocks } from './plugin-locks.js';
import type { ResolvedPluginOptions } from './resolved-options.js';
import { dependencyCycleError } from './dependency-graph.js';
import { phaseError, runPhase, timeoutsFor } from './run-phase.js';

/** Other plugins an operation changed on the way (dependencies enabled first, dependents disabled first). */
export interface OperationEffects {
  alsoEnabled: string[];
  alsoDisabled: string[];
}

// Failures of the plugin set itself, which no change to one plugin's files fixes (a restart does). Everything else the
// gate decides afresh: a plugin refused for its trust, manifest, compatibility or requirements stays refused until the
// policy or its files change, and enable says why.
const REFUSALS = new Set<string>([PluginErrorCode.DUPLICATE, PluginErrorCode.DEPENDENCY_CYCLE]);
/** What a failed reload or reconfiguration leaves. */
const UNCHANGED = 'Nothing was changed; the running instance keeps serving.';

/**
 * Enable, disable, reload and reconfigure plugins while the app serves. Each
 * operation holds the locks of every plugin it touches, so operations on one
 * plugin run one after the other and never interleave. A plugin being replaced
 * (reload, re-initialization) keeps serving until its successor is initialized;
 * then calls move over, the calls in flight on the old instance are awaited
 * (bounded by the cleanup timeout) and the old instance is cleaned up.
 */
export class RuntimeOperations {
  private readonly logger = new Logger('PluginHost');
  private readonly locks = new PluginLocks();
  private readonly generations = new Map<string, number>();
  // withPlugin: how many blocks use a plugin now, and whether the first found it off.
  private readonly leases = new Map<string, { count: number; restore: boolean }>();

  constructor(
    private readonly registry: PluginRegistry,
    private readonly runner: LifecycleRunner,
    private readonly options: ResolvedPluginOptions,
    private readonly moduleRef: ModuleRef,
  ) {}

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
      const gate = gateContext(this.options, this.registry.root);
      const admission = admitOrThrow(this.registry, record, gate);
      const { pluginClass, metadata, pkg } = record.package
        ? isIsolated(record)
          ? { metadata: admission.metadata, pkg: admission.pkg, pluginClass: this.classOf(record) } // a new isolate imports the new code
          : await this.reimport(record, admission)
        : { pluginClass: this.classOf(record), metadata: record.metadata, pkg: undefined };
      await this.replaceInstance(record, pluginClass, metadata, record.configUpdates, admission);
      if (pkg) record.package = pkg;
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
    await this.locks.run([name], async () => {
      const updates = mergeConfigPatch(record.configUpdates, patch as Record<string, unknown>);
      const { config } = await this.runner.resolveConfig(record, record.metadata, updates); // throws PLUGIN_CONFIG_INVALID, changing nothing
      const plugin = record.instance as { configure?: (config: object, ctx: object) => unknown } | undefined;
      if (record.state !== PluginState.ENABLED) {
        record.configUpdates = updates;
      } else if (typeof plugin?.configure === 'function') {
        const outcome = await runPhase(
          record.name,
          'configure',
          timeoutsFor(record.metadata, this.options).initialize,
          (signal) => plugin.configure!(config, this.runner.phaseContext(record, signal, config)),
        );
        if (!outcome.ok) throw phaseError(record.name, 'configure', outcome.error, UNCHANGED);
        record.configUpdates = updates;
        record.config = config;
      } else {
        await this.replaceInstance(record, this.classOf(record), record.metadata, updates);
        record.configUpdates = updates;
      }
      this.registry.emit('plugin.config-updated', record);
    });
  }

  /**
   * Runs `fn` with the plugin enabled, enabling it first if it was not, and puts it
   * back afterwards (also when `fn` throws). Overlapping blocks share one enable.
   */
  async withPlugin<T, P = unknown>(name: string, fn: (plugin: P) => T | Promise<T>): Promise<T> {
    const record = this.registry.require(name);
    let lease = this.leases.get(name);
    if (!lease) this.leases.set(name, (lease = { count: 0, restore: record.state !== PluginState.ENABLED }));
    lease.count++;
    try {
      await this.enable(name);
      return await fn(this.registry.referenceOf(name) as P);
    } finally {
      if (--lease.count === 0) {
        this.leases.delete(name);
        if (lease.restore && (record.state as PluginState) === PluginState.ENABLED) await this.disable(name);
      }
    }
  }

  private async enableLocked(record: PluginRecord, effects: OperationEffects, chain: string[]): Promise<void> {
    if (record.state === PluginState.ENABLED) return;
    if (record.lazy && record.state === PluginState.DISCOVERED) return this.runner.load(record.name);
    if (record.state === PluginState.FAILED && record.error && REFUSALS.has(record.error.code)) throw record.error;
    const missing = dependencyProblem(this.registry, record);
    if (missing) throw missing;
    for (const dependency of Object.keys(record.metadata.dependencies ?? {})) {
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
    const gate = gateContext(this.options, this.registry.root);
    if (isIsolated(record)) {
      // An operator's enable starts a quarantined or crashed plugin afresh.
      this.registry.supervisor!.forgive(record.name);
      if (!this.registry.supervisor!.isolateOf(record.name) && !(await loadPluginCode(this.registry, record, gate)))
        throw record.error!;
    } else if (!record.pluginClass) {
      if (!(await loadPluginCode(this.registry, record, gate))) throw record.error!;
    } else if (!record.instance) {
      // A class never built (refused at boot, or its construction failed): the gate, and the class's own checks, first.
      const admission = admit(this.registry, record, gate);
      const problem = admission ? classProblem(record, admission.metadata, gate) : record.error;
      if (problem) {
        this.registry.transition(record, PluginState.FAILED, problem);
        throw problem;
      }
    }
    if (!record.instance) {
      await instantiatePlugin(this.registry, record, this.options, (pluginClass) => this.moduleRef.create(pluginClass));
      if ((record.state as PluginState) === PluginState.FAILED) throw record.error!;
    }
    this.registry.transition(record, PluginState.LOADED);
    await this.runner.startOne(record);
    if ((record.state as PluginState) !== PluginState.ENABLED)
      throw record.error ?? this.registry.unavailableError(record);
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
    const inFlight = this.registry.transition(record, PluginState.DISABLED);
    await this.drain(record, inFlight);
    const error = await this.runner.cleanupInstance(record, record.instance!);
    if (isIsolated(record)) this.registry.supervisor!.stop(record.name); // its worker or process ends with it
    if (error) this.registry.transition(record, PluginState.FAILED, error);
    return true;
  }

  /**
   * Builds and initializes a new instance while the current one serves, then
   * moves calls to it and retires the old one (in-flight calls awaited, then
   * `cleanup`). On failure nothing changes and the error is thrown.
   */
  private async replaceInstance(
    record: PluginRecord,
    pluginClass: Type<object>,
    metadata: PluginMetadata,
    updates: Record<string, unknown> | undefined,
    admission?: Admission,
  ): Promise<void> {
    const blocked = blockingDependency(this.registry, { ...record, metadata });
    if (blocked) throw blocked;
    // An isolated plugin's successor is a new isolate (fresh code, no module left behind), through the gate.
    const isolate = isIsolated(record) ? await this.registry.supervisor!.spawn(record, admission) : undefined;
    if (isolate) pluginClass = isolate.remoteClass;
    const built = isolate
      ? { ok: true as const, value: isolate.instance }
      : await runPhase(record.name, 'load', timeoutsFor(metadata, this.options).initialize, () =>
          this.moduleRef.create(pluginClass),
        );
    if (!built.ok) throw phaseError(record.name, 'load', built.error, UNCHANGED);
    const instance = built.value!;
    const previousUpdates = record.configUpdates;
    record.configUpdates = updates;
    const { config, error } = await this.runner.initializeInstance(record, instance, metadata);
    if (error) {
      record.configUpdates = previousUpdates;
      await this.runner.cleanupInstance(record, instance); // release what a half-initialized instance took
      isolate?.stop();
      throw error;
    }

    const old = record.state === PluginState.ENABLED ? record.instance : undefined;
    this.registry.attachClass(record, pluginClass, metadata);
    record.config = config;
    const inFlight = this.registry.attachInstance(record, instance);
    const oldIsolate = isolate ? this.registry.supervisor!.activate(record, isolate) : undefined;
    this.registry.transition(record, PluginState.ENABLED);
    if (old && old !== instance) {
      await this.drain(record, inFlight);
      const cleanupError = await this.runner.cleanupInstance(record, old);
      if (cleanupError)
        this.logger.warn(
          `${record.name}: the replaced instance failed to clean up (the new one serves): ${cleanupError.message}`,
        );
    }
    oldIsolate?.stop();
  }

  /** Waits for the calls in flight on a retired target, at most the cleanup timeout. */
  private async drain(record: PluginRecord, inFlight: InFlightCalls): Promise<void> {
    if (inFlight.size === 0) return;
    const limit = timeoutsFor(record.metadata, this.options).cleanup;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      inFlight.idle().then(() => false),
      new Promise<boolean>((resolve) => {
        if (Number.isFinite(limit)) timer = setTimeout(() => resolve(true), limit);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut)
      this.logger.warn(
        `${record.name}: ${inFlight.size} call(s) still in flight after ${limit} ms; cleaning up anyway.`,
      );
  }

  /** A fresh copy of the package's own modules, imported from what the gate just admitted; then the class's own checks. */
  private async reimport(
    record: PluginRecord,
    admission: Admission,
  ): Promise<{ pluginClass: Type<object>; metadata: PluginMetadata; pkg: PluginPackage }> {
    const generation = (this.generations.get(record.name) ?? 0) + 1;
    this.generations.set(record.name, generation);
    const gate = gateContext(this.options, this.registry.root);
    const imported = await importWithin(record, gate, admission, generation);
    const problem = classProblem(
      { ...record, pluginClass: imported.pluginClass, metadata: imported.metadata },
      admission.metadata,
      gate,
    );
    if (problem) throw problem;
    return { ...imported, pkg: admission.pkg! };
  }

  private classOf(record: PluginRecord): Type<object> {
    if (record.pluginClass) return record.pluginClass;
    throw record.error ?? this.registry.unavailableError(record);
  }

  /** Every plugin `record` depends on, transitively. */
  private dependenciesOf(record: PluginRecord, seen = new Set<string>()): string[] {
    for (const dependency of Object.keys(record.metadata.dependencies ?? {})) {
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
      if (Object.keys(candidate.metadata.dependencies ?? {}).some((dependency) => affected.has(dependency))) {
        affected.add(candidate.name);
        dependents.push(candidate);
      }
    }
    return dependents.reverse();
  }
}

function isIsolated(record: PluginRecord): boolean {
  return record.isolation === 'worker' || record.isolation === 'process';
}
