import type { Type } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { importPackagePlugin, type ImportedPlugin, type PluginCandidate } from '../discovery/index.js';
import { hasName } from '../discovery/name-filter.js';
import { PluginError, PluginErrorCode, describeError } from '../errors/index.js';
import { admitPlugin, type Admission, type FreshManifest } from '../gate/index.js';
import type { IsolationSupervisor } from '../isolation/index.js';
import { classShapeProblem } from '../manifest/index.js';
import { PluginState, type PluginRecord, type PluginRegistry } from '../registry/index.js';
import type { PackageInspection } from '../trust/index.js';
import { registerCandidates } from './boot-records.js';
import { checkDependencies } from './dependency-checks.js';
import { classProblem, isolationProblem, loadContext, type LoadContext } from './load-checks.js';
import type { ResolvedPluginOptions } from './resolved-options.js';
import { runPhase, timeoutsFor } from './run-phase.js';
import { roundMs } from './startup-timing.js';

/** Builds a plugin class with its constructor dependencies (Nest's `ModuleRef.create` when it has any). */
export type Instantiate = (pluginClass: Type<object>) => object | Promise<object>;

/**
 * Brings plugins' code in, through the gate: at boot every candidate (`loadAll`), later a lazy plugin's first use, an
 * enable or a reload (one plugin). A refused plugin is never imported nor instantiated. Nothing here throws for a
 * plugin's fault unless asked to (`admitOrThrow`): the plugin's record says `failed`, with the code and reason.
 */
export class PluginLoader {
  constructor(
    private readonly registry: PluginRegistry,
    private readonly supervisor: IsolationSupervisor,
    private readonly options: ResolvedPluginOptions,
    private readonly instantiateClass: Instantiate,
  ) {}

  /**
   * Boot: check each candidate's declaration, refuse duplicates, pass the gate, import the package plugins that
   * passed (lazy ones wait for their first use), check the dependency graph, and instantiate the accepted classes in
   * dependency order.
   */
  async loadAll(candidates: PluginCandidate[]): Promise<void> {
    registerCandidates(this.registry, candidates, this.options, this.registry.root);
    // The gate, for every plugin. A package plugin loaded at boot is imported right after it passes, with the
    // manifest just read; lazy and disabled ones are checked now (so a refusal shows at once) and again before their
    // code loads.
    const gate = this.context(new Map());
    const imports: Promise<boolean>[] = [];
    for (const record of this.registry.all()) {
      if (record.state === PluginState.FAILED) continue;
      const fresh = record.package ? { metadata: record.metadata, pkg: record.package } : undefined;
      const admission = this.admit(record, gate, fresh);
      if (!admission) continue;
      if (hasName(this.options.disabled, record.name)) this.registry.transition(record, PluginState.DISABLED);
      if (record.package && !record.lazy) imports.push(this.loadCode(record, gate, admission));
    }
    await Promise.all(imports);
    checkDependencies(this.registry);
    for (const record of this.registry.all()) {
      const waiting = record.state === PluginState.DISCOVERED || record.state === PluginState.DISABLED;
      if (record.pluginClass && !record.instance && waiting) await this.instantiate(record);
    }
  }

  /** The gate's context for this host (`inspections`: share package readings within one pass only). */
  context(inspections?: Map<string, PackageInspection>): LoadContext {
    return loadContext(this.registry, this.options, inspections);
  }

  /** Runs the gate and decides the tier the first time; fails the record (and returns `undefined`) when it refuses. */
  admit(record: PluginRecord, gate = this.context(), fresh?: FreshManifest): Admission | undefined {
    try {
      return this.admitOrThrow(record, gate, fresh);
    } catch (error) {
      this.registry.transition(record, PluginState.FAILED, error as PluginError);
      return undefined;
    }
  }

  /** `admit`, throwing the refusal instead of failing the record (a reload's refusal leaves the running instance alone). */
  admitOrThrow(record: PluginRecord, gate = this.context(), fresh?: FreshManifest): Admission {
    const admission = admitPlugin(record, gate, fresh);
    if (record.isolation === undefined) {
      const tier = this.supervisor.tierOf(record, admission.forceProcess);
      const problem = isolationProblem(record, tier);
      if (problem) throw problem;
      this.registry.setIsolation(record, tier);
    }
    return admission;
  }

  /**
   * Loads a package plugin's code where it runs: imported into this process, or started in its isolate (worker or
   * child process), which also gives it its instance. Passes the gate first (`admission`: the caller passed it just
   * now). Fails the record (and returns `false`) on any problem.
   */
  async loadCode(record: PluginRecord, gate = this.context(), admission?: Admission): Promise<boolean> {
    admission ??= this.admit(record, gate);
    if (!admission) return false;
    const started = performance.now();
    try {
      if (record.isolation === 'worker' || record.isolation === 'process') await this.spawn(record, admission);
      else return await this.importPlugin(record, gate, admission);
      return true;
    } catch (error) {
      this.registry.transition(record, PluginState.FAILED, error as PluginError);
      return false;
    } finally {
      this.registry.recordTiming(record, 'load', roundMs(performance.now() - started));
    }
  }

  /**
   * Imports what the gate admitted (the package's real entry; `generation` > 0: a fresh copy, for a reload) within the
   * initialize timeout: a module whose top level never finishes is `PLUGIN_TIMEOUT`, not a boot that never ends.
   */
  async importWithin(
    record: PluginRecord,
    gate: LoadContext,
    admission: Admission,
    generation = 0,
  ): Promise<ImportedPlugin> {
    const { pkg, entry } = admission;
    if (!pkg || !entry)
      throw new PluginError(
        PluginErrorCode.LOAD_FAILED,
        `plugin "${record.name}" (${record.source.description}) has no package entry to import.`,
        { plugin: record.name, phase: 'load' },
      );
    const imported = await runPhase(record.name, 'load', gate.importTimeoutMs(admission.metadata), () =>
      importPackagePlugin({ ...pkg, entryPath: entry }, admission.metadata, record.source, generation),
    );
    if (!imported.ok || !imported.value) throw imported.error;
    return imported.value;
  }

  /** Builds the plugin's instance (under the initialize timeout); `loaded`, or `disabled` if it was. */
  async instantiate(record: PluginRecord): Promise<void> {
    const { pluginClass } = record;
    if (!pluginClass) return;
    // Disabled plugins are instantiated too, so the reference services get now is the one enabling later brings to life.
    const timeout = timeoutsFor(record.metadata, this.options).initialize;
    const outcome = await runPhase(record.name, 'load', timeout, () => this.instantiateClass(pluginClass));
    this.registry.recordTiming(record, 'load', roundMs(outcome.ms), true);
    const instance = outcome.ok ? outcome.value : undefined;
    const shape = instance && classShapeProblem(pluginClass, record.source.description, instance);
    if (shape) return void this.registry.transition(record, PluginState.FAILED, shape);
    if (instance) {
      this.registry.attachInstance(record, instance);
      const next = record.state === PluginState.DISABLED ? PluginState.DISABLED : PluginState.LOADED;
      return void this.registry.transition(record, next);
    }
    this.registry.transition(
      record,
      PluginState.FAILED,
      outcome.timedOut
        ? (outcome.error as PluginError)
        : new PluginError(
            PluginErrorCode.LOAD_FAILED,
            `plugin "${record.name}" could not be instantiated: ${describeError(outcome.error)}. Check its constructor and that what it injects is provided (PluginModule imports).`,
            { plugin: record.name, phase: 'load', cause: outcome.error },
          ),
    );
  }

  /** Builds a new instance of a class (a reload's or a re-initialization's successor); the record is left alone. */
  build(pluginClass: Type<object>): object | Promise<object> {
    return this.instantiateClass(pluginClass);
  }

  /** Starts the plugin's isolate, which gives the record its remote class, metadata and instance. */
  private async spawn(record: PluginRecord, admission: Admission): Promise<void> {
    const isolate = await this.supervisor.spawn(record, admission);
    const { description, timeouts, inject } = isolate.ready.metadata;
    const metadata = { ...admission.metadata };
    if (metadata.description === undefined && description !== undefined) metadata.description = description;
    if (metadata.timeouts === undefined && timeouts !== undefined) metadata.timeouts = timeouts;
    if (metadata.inject === undefined && inject?.length) metadata.inject = inject;
    this.supervisor.attach(record, isolate, metadata);
    if (record.state === PluginState.DISCOVERED) this.registry.transition(record, PluginState.LOADED);
  }

  /**
   * Imports what the gate admitted and merges what the class declares; then checks what only the class may have
   * declared (a compatibility range, npm requirements, its shape). Fails the record (and returns `false`) on any problem.
   */
  private async importPlugin(record: PluginRecord, gate: LoadContext, admission: Admission): Promise<boolean> {
    const { pluginClass, metadata } = await this.importWithin(record, gate, admission);
    this.registry.attachClass(record, pluginClass, metadata);
    const problem = classProblem(record, admission.metadata, gate, (line) => this.registry.addWarning(record, line));
    if (problem) this.registry.transition(record, PluginState.FAILED, problem);
    return problem === undefined;
  }
}
