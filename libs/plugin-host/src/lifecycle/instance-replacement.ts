import { Logger, type Type } from '@nestjs/common';
import type { Admission } from '../gate/index.js';
import type { IsolationSupervisor } from '../isolation/index.js';
import type { PluginMetadata } from '../manifest/index.js';
import {
  PluginState,
  type PendingCalls,
  type PluginPackage,
  type PluginRecord,
  type PluginRegistry,
} from '../registry/index.js';
import { blockingDependency } from './dependency-checks.js';
import { classProblem } from './load-checks.js';
import type { PluginLoader } from './plugin-loader.js';
import type { PluginPhases } from './plugin-phases.js';
import type { ResolvedPluginOptions } from './resolved-options.js';
import { phaseError, runPhase, timeoutsFor } from './run-phase.js';

/** What a failed reload or reconfiguration leaves. */
export const UNCHANGED = 'Nothing was changed; the running instance keeps serving.';

/**
 * Replaces a running plugin's instance without a gap: the successor is built and initialized while the current one
 * serves; then calls move over, the calls in flight on the old instance are awaited (bounded by the cleanup timeout)
 * and the old one is cleaned up. On failure nothing changes and the error is thrown.
 */
export class InstanceReplacement {
  private readonly logger = new Logger('PluginHost');
  private readonly generations = new Map<string, number>();

  constructor(
    private readonly registry: PluginRegistry,
    private readonly loader: PluginLoader,
    private readonly phases: PluginPhases,
    private readonly supervisor: IsolationSupervisor,
    private readonly options: ResolvedPluginOptions,
  ) {}

  async replace(
    record: PluginRecord,
    pluginClass: Type<object>,
    metadata: PluginMetadata,
    updates: Record<string, unknown> | undefined,
    admission?: Admission,
  ): Promise<void> {
    const blocked = blockingDependency(this.registry, { name: record.name, metadata });
    if (blocked) throw blocked;
    // An isolated plugin's successor is a new isolate (fresh code, no module left behind), through the gate.
    const isolate = isIsolated(record) ? await this.supervisor.spawn(record, admission) : undefined;
    if (isolate) pluginClass = isolate.remoteClass;
    const built = isolate
      ? { ok: true, value: isolate.instance, error: undefined }
      : await runPhase(record.name, 'load', timeoutsFor(metadata, this.options).initialize, () =>
          this.loader.build(pluginClass),
        );
    if (!built.ok || !built.value) throw phaseError(record.name, 'load', built.error, UNCHANGED);
    const instance = built.value;
    const previousUpdates = record.configUpdates;
    this.registry.setConfig(record, { updates });
    const { config, error } = await this.phases.initialize(record, instance, metadata);
    if (error) {
      this.registry.setConfig(record, { updates: previousUpdates });
      await this.phases.cleanup(record, instance); // release what a half-initialized instance took
      isolate?.stop();
      throw error;
    }

    const old = record.state === PluginState.ENABLED ? record.instance : undefined;
    this.registry.attachClass(record, pluginClass, metadata);
    this.registry.setConfig(record, { config });
    const pending = this.registry.attachInstance(record, instance);
    const oldIsolate = isolate ? this.supervisor.activate(record, isolate) : undefined;
    this.registry.transition(record, PluginState.ENABLED);
    if (old && old !== instance) {
      await this.drain(record, pending);
      const cleanupError = await this.phases.cleanup(record, old);
      if (cleanupError)
        this.logger.warn(
          `${record.name}: the replaced instance failed to clean up (the new one serves): ${cleanupError.message}`,
        );
    }
    oldIsolate?.stop();
  }

  /** A fresh copy of the package's own modules, imported from what the gate just admitted; then the class's own checks. */
  async reimport(
    record: PluginRecord,
    admission: Admission,
  ): Promise<{ pluginClass: Type<object>; metadata: PluginMetadata; pkg?: PluginPackage }> {
    const generation = (this.generations.get(record.name) ?? 0) + 1;
    this.generations.set(record.name, generation);
    const gate = this.loader.context();
    const imported = await this.loader.importWithin(record, gate, admission, generation);
    const problem = classProblem(
      { ...record, pluginClass: imported.pluginClass, metadata: imported.metadata },
      admission.metadata,
      gate,
      (line) => this.registry.addWarning(record, line),
    );
    if (problem) throw problem;
    return { ...imported, pkg: admission.pkg };
  }

  /** Waits for the calls in flight on a retired target, at most the cleanup timeout. */
  async drain(record: PluginRecord, pending: PendingCalls): Promise<void> {
    if (pending.size === 0) return;
    const limit = timeoutsFor(record.metadata, this.options).cleanup;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      pending.idle().then(() => false),
      new Promise<boolean>((resolve) => {
        if (Number.isFinite(limit)) timer = setTimeout(() => resolve(true), limit);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut)
      this.logger.warn(
        `${record.name}: ${pending.size} call(s) still in flight after ${limit} ms; cleaning up anyway.`,
      );
  }
}

/** Whether the plugin runs in a worker or a child process. */
export function isIsolated(record: PluginRecord): boolean {
  return record.isolation === 'worker' || record.isolation === 'process';
}
