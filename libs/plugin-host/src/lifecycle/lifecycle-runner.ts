import { Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import type { IsolationSupervisor } from '../isolation/index.js';
import { PluginFaultGuard } from '../isolation/fault-guard.js';
import { PluginState, type PluginRecord, type PluginRegistry } from '../registry/index.js';
import { dependencyNames } from './dependency-checks.js';
import type { LazyLoader } from './lazy-loader.js';
import type { PluginPhases } from './plugin-phases.js';
import type { ResolvedPluginOptions } from './resolved-options.js';
import { logStartup } from './startup-log.js';
import { roundMs } from './startup-timing.js';

/**
 * Starts every plugin as the app initializes and stops them as it shuts down, from Nest's hooks. Nest runs the hooks
 * of providers at one depth in parallel, so the plugin order is kept here: a plugin starts when its dependencies are
 * enabled (independent plugins start concurrently) and stops after the plugins that depend on it.
 */
export class LifecycleRunner implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('PluginHost');
  private stopping?: Promise<void>;
  private starting?: Promise<void>;
  private readonly guard: PluginFaultGuard;
  /** Wall time of the whole plugin startup (loading to the last initialize), once it is done. */
  startupMs?: number;

  constructor(
    private readonly registry: PluginRegistry,
    private readonly lazy: LazyLoader,
    private readonly phases: PluginPhases,
    private readonly supervisor: IsolationSupervisor,
    private readonly options: ResolvedPluginOptions,
  ) {
    // A plugin the guard stopped stays failed: only its cleanup runs.
    this.guard = new PluginFaultGuard(
      registry,
      async (record) => record.instance && phases.cleanup(record, record.instance),
    );
  }

  onModuleInit(): Promise<void> {
    return this.started();
  }

  /**
   * Every plugin started (the startup below, run once): what module plugins' applications wait for, whichever of the
   * hooks Nest calls first.
   */
  started(): Promise<void> {
    return (this.starting ??= this.start());
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  /** Initializes every loaded plugin in dependency order. Throws only when a `required` plugin failed. */
  async start(): Promise<void> {
    if (this.options.guardProcess) this.guard.install();
    for (const record of this.registry.all()) this.attachProviderInstance(record);

    const running = new Map<string, Promise<void>>();
    for (const record of this.registry.all()) {
      const dependencies = dependencyNames(record).map((name) => running.get(name));
      running.set(
        record.name,
        Promise.all(dependencies).then(() => this.lazy.start(record)),
      );
    }
    await Promise.all(running.values());
    this.startupMs = roundMs(this.registry.elapsedMs());
    logStartup(this.registry, this.options.hooks, this.startupMs, this.logger);

    const failedRequired = this.registry
      .all()
      .filter((record) => record.required && record.state === PluginState.FAILED);
    const [first] = failedRequired;
    if (!first) return;
    await this.stop();
    throw new PluginError(
      first.error?.code ?? PluginErrorCode.INIT_FAILED,
      `bootstrap stopped: required plugin${failedRequired.length > 1 ? 's' : ''} ${failedRequired.map((r) => `"${r.name}"`).join(', ')} failed. ${failedRequired.map((r) => r.error?.message).join(' ')}`,
      { plugin: first.name, cause: first.error },
    );
  }

  /** Cleans up every enabled plugin, dependents first. Runs once, however often shutdown is signalled. */
  stop(): Promise<void> {
    this.stopping ??= this.cleanupAll().finally(async () => {
      const exited = this.supervisor.stopAll();
      this.guard.uninstall();
      await exited;
    });
    return this.stopping;
  }

  /** A `@Plugin()` provider: Nest built its instance; the record takes it (`loaded`), unless it has none to give. */
  private attachProviderInstance(record: PluginRecord): void {
    if (!record.resolveInstance || record.state === PluginState.FAILED) return;
    const instance = record.resolveInstance();
    if (!instance) {
      this.registry.transition(
        record,
        PluginState.FAILED,
        new PluginError(
          PluginErrorCode.LOAD_FAILED,
          `plugin "${record.name}" (${record.source.description}) has no single instance: plugin providers must be default-scoped (not request or transient scoped).`,
          { plugin: record.name, phase: 'load' },
        ),
      );
      return;
    }
    this.registry.attachInstance(record, instance);
    if (record.state === PluginState.DISCOVERED) this.registry.transition(record, PluginState.LOADED);
  }

  private async cleanupAll(): Promise<void> {
    const enabled = this.registry.all().filter((record) => record.state === PluginState.ENABLED);
    const dependents = new Map<string, string[]>(enabled.map((record) => [record.name, []]));
    for (const record of enabled) {
      for (const dependency of dependencyNames(record)) dependents.get(dependency)?.push(record.name);
    }
    const done = new Map<string, Promise<void>>();
    // Reverse dependency order: a plugin's dependents are scheduled before it is.
    for (const record of [...enabled].reverse()) {
      const waitFor = (dependents.get(record.name) ?? []).map((name) => done.get(name));
      done.set(
        record.name,
        Promise.all(waitFor).then(() => this.cleanupOne(record)),
      );
    }
    await Promise.all(done.values());
  }

  private async cleanupOne(record: PluginRecord): Promise<void> {
    const error = record.instance ? await this.phases.cleanup(record, record.instance) : undefined;
    this.registry.transition(record, error ? PluginState.FAILED : PluginState.DISABLED, error);
  }
}
