import { Logger, type BeforeApplicationShutdown, type InjectionToken, type OnModuleInit } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import { performance } from 'node:perf_hooks';
import { resolvePluginConfig, type ResolvedConfig } from '../config/index.js';
import type { PluginContext, PluginLifecycle } from '../contracts/index.js';
import { PluginError, PluginErrorCode, describeError } from '../errors/index.js';
import { hookImplementations } from '../hooks/on-hook.decorator.js';
import { PluginFaultGuard } from '../isolation/fault-guard.js';
import { exposedToken } from '../injection/host-access.js';
import type { PluginMetadata } from '../manifest/index.js';
import { PluginState, type PluginRecord, type PluginRegistry } from '../registry/index.js';
import {
  blockingDependency,
  dependencyProblem,
  gateContext,
  instantiatePlugin,
  loadPluginCode,
} from './plugin-loader.js';
import type { ResolvedPluginOptions } from './resolved-options.js';
import { dependencyCycleError } from './dependency-graph.js';
import { phaseError, runPhase, timeoutsFor, type PhaseSignal } from './run-phase.js';
import { roundMs, startupPhases } from './startup-timing.js';
import { pluginLogger } from '../registry/plugin-logger.js';

/**
 * Runs the plugins' lifecycle from Nest's hooks. Nest runs the hooks of providers
 * at one depth in parallel, so the plugin order is kept here: a plugin starts when
 * its dependencies are enabled (independent plugins start concurrently) and stops
 * after the plugins that depend on it. Built at boot (`PluginModule`, token
 * `LIFECYCLE_RUNNER`); Nest calls its hooks.
 */
export class LifecycleRunner implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('PluginHost');
  private stopping?: Promise<void>;
  private readonly guard: PluginFaultGuard;
  // Lazy plugins being loaded: concurrent first uses share one load.
  private readonly loading = new Map<string, Promise<void>>();
  /** Wall time of the whole plugin startup (loading to the last initialize), once it is done. */
  startupMs?: number;

  constructor(
    private readonly registry: PluginRegistry,
    private readonly options: ResolvedPluginOptions,
    private readonly moduleRef: ModuleRef,
  ) {
    registry.setLazyLoader((name) => this.load(name));
    registry.supervisor?.setStarter((record) => this.startOne(record));
    this.guard = new PluginFaultGuard(registry, (record) => this.cleanupInstance(record, record.instance!));
  }

  async onModuleInit(): Promise<void> {
    await this.start();
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
      const dependencies = Object.keys(record.metadata.dependencies ?? {}).map((name) => running.get(name));
      running.set(
        record.name,
        Promise.all(dependencies).then(() => this.startOne(record)),
      );
    }
    await Promise.all(running.values());
    this.startupMs = roundMs(this.registry.elapsedMs());
    this.logStartup();

    const failedRequired = this.registry
      .all()
      .filter((record) => record.required && record.state === PluginState.FAILED);
    if (failedRequired.length > 0) {
      await this.stop();
      const [first] = failedRequired;
      throw new PluginError(
        first.error?.code ?? PluginErrorCode.INIT_FAILED,
        `bootstrap stopped: required plugin${failedRequired.length > 1 ? 's' : ''} ${failedRequired.map((r) => `"${r.name}"`).join(', ')} failed. ${failedRequired.map((r) => r.error?.message).join(' ')}`,
        { plugin: first.name, cause: first.error },
      );
    }
  }

  /**
   * Imports and starts a lazy plugin (its lazy dependencies first). Resolves at
   * once for an enabled plugin; concurrent calls share one load, and its failure
   * (the plugin is then `failed`) rejects every one of them.
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

  private async loadLazy(record: PluginRecord, chain: string[]): Promise<void> {
    const started = performance.now();
    if (
      record.pluginClass ||
      (await loadPluginCode(this.registry, record, gateContext(this.options, this.registry.root)))
    ) {
      const problem = dependencyProblem(this.registry, record) ?? (await this.loadLazyDependencies(record, chain));
      if (problem) this.registry.transition(record, PluginState.FAILED, problem);
      else if (!record.instance)
        await instantiatePlugin(this.registry, record, this.options, (pluginClass) =>
          this.moduleRef.create(pluginClass),
        );
      await this.startOne(record);
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
    for (const dependency of Object.keys(record.metadata.dependencies ?? {})) {
      if (chain.includes(dependency)) {
        return dependencyCycleError(record.name, [...chain.slice(chain.indexOf(dependency)), dependency]);
      }
      const found = this.registry.get(dependency);
      if (found?.lazy && found.state === PluginState.DISCOVERED)
        await this.load(dependency, chain).catch(() => undefined);
    }
    return undefined; // a dependency that failed to load is reported by blockingDependency
  }

  /** Cleans up every enabled plugin, dependents first. Runs once, however often shutdown is signalled. */
  stop(): Promise<void> {
    this.stopping ??= this.cleanupAll().finally(async () => {
      const exited = this.registry.supervisor?.stopAll();
      this.guard.uninstall();
      await exited;
    });
    return this.stopping;
  }

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

  /** Initializes a `loaded` plugin once its dependencies can run; `enabled` or `failed` after. */
  async startOne(record: PluginRecord): Promise<void> {
    if (record.state !== PluginState.LOADED) return;
    // A lazy dependency of a plugin that starts now is loaded now.
    for (const dependency of Object.keys(record.metadata.dependencies ?? {})) {
      const found = this.registry.get(dependency);
      if (found?.lazy && found.state === PluginState.DISCOVERED) await this.load(dependency).catch(() => undefined);
    }
    const blocked = blockingDependency(this.registry, record);
    if (blocked) return void this.registry.transition(record, PluginState.FAILED, blocked);
    const { config, error } = await this.initializeInstance(record, record.instance!, record.metadata);
    if (error) return void this.registry.transition(record, PluginState.FAILED, error);
    record.config = config;
    this.registry.transition(record, PluginState.ENABLED);
  }

  /**
   * Resolves the config, runs `checkRequirements` and `initialize` of `instance`
   * (the record's own, or the new one a reload builds) under the initialize
   * timeout. Never throws: the error says what failed. The record's state is left alone.
   */
  async initializeInstance(
    record: PluginRecord,
    instance: object,
    metadata: PluginMetadata,
  ): Promise<{ config?: object; error?: PluginError }> {
    const timeouts = timeoutsFor(metadata, this.options);
    const configured = await runPhase(record.name, 'configure', timeouts.initialize, () =>
      this.resolveConfig(record, metadata, record.configUpdates),
    );
    record.timings.configure = configured.ms;
    if (!configured.ok) return { error: phaseError(record.name, 'configure', configured.error) };
    const { config, warnings } = configured.value!;
    for (const warning of warnings) if (!record.warnings.includes(warning)) record.warnings.push(warning);

    const plugin = instance as PluginLifecycle<object>;
    if (typeof plugin.checkRequirements === 'function') {
      const checked = await runPhase(record.name, 'checkRequirements', timeouts.initialize, (signal) =>
        plugin.checkRequirements!(this.phaseContext(record, signal, config)),
      );
      record.timings.requirements = checked.ms;
      const problem = checked.ok
        ? typeof checked.value === 'string' && checked.value !== ''
          ? checked.value
          : undefined
        : describeError(checked.error);
      if (problem !== undefined) {
        const error =
          !checked.ok && checked.timedOut
            ? (checked.error as PluginError)
            : new PluginError(
                PluginErrorCode.DEPENDENCY_MISSING,
                `plugin "${record.name}" is missing a requirement: ${problem}`,
                {
                  plugin: record.name,
                  phase: 'checkRequirements',
                  ...(!checked.ok && { cause: checked.error }),
                },
              );
        return { error };
      }
    }
    if (typeof plugin.initialize === 'function') {
      const initialized = await runPhase(record.name, 'initialize', timeouts.initialize, (signal) =>
        plugin.initialize!(config, this.phaseContext(record, signal, config)),
      );
      record.timings.initialize = initialized.ms;
      if (!initialized.ok) return { error: phaseError(record.name, 'initialize', initialized.error) };
    }
    return { config };
  }

  /** The plugin's config from every source (runtime `updates` on top), validated against `metadata.configSchema`. */
  resolveConfig(
    record: PluginRecord,
    metadata: PluginMetadata,
    updates: Record<string, unknown> | undefined,
  ): Promise<ResolvedConfig> {
    return resolvePluginConfig({
      plugin: record.name,
      schema: metadata.configSchema,
      options: Object.hasOwn(this.options.config, record.name) ? this.options.config[record.name] : undefined, // own keys only: a plugin named toString has no config by accident
      env: this.options.env,
      otherPlugins: this.registry.names(),
      updates,
    });
  }

  /** Runs `cleanup` of `instance` under the cleanup timeout. Never throws: returns the error, if any. */
  async cleanupInstance(record: PluginRecord, instance: object): Promise<PluginError | undefined> {
    const plugin = instance as PluginLifecycle<object>;
    if (typeof plugin.cleanup !== 'function') return undefined;
    const outcome = await runPhase(
      record.name,
      'cleanup',
      timeoutsFor(record.metadata, this.options).cleanup,
      (signal) => plugin.cleanup!(this.phaseContext(record, signal)),
    );
    record.timings.cleanup = outcome.ms;
    if (outcome.ok) {
      this.logger.log(`${record.name}: cleaned up in ${outcome.ms} ms`);
      return undefined;
    }
    const error = phaseError(record.name, 'cleanup', outcome.error);
    this.logger.error(`${record.name}: cleanup failed in ${outcome.ms} ms: ${error.message}`);
    return error;
  }

  private async cleanupAll(): Promise<void> {
    const enabled = this.registry.all().filter((record) => record.state === PluginState.ENABLED);
    const dependents = new Map<string, string[]>(enabled.map((record) => [record.name, []]));
    for (const record of enabled) {
      for (const dependency of Object.keys(record.metadata.dependencies ?? {}))
        dependents.get(dependency)?.push(record.name);
    }
    const done = new Map<string, Promise<void>>();
    // Reverse dependency order: a plugin's dependents are scheduled before it is.
    for (const record of [...enabled].reverse()) {
      const waitFor = dependents.get(record.name)!.map((name) => done.get(name));
      done.set(
        record.name,
        Promise.all(waitFor).then(() => this.cleanupOne(record)),
      );
    }
    await Promise.all(done.values());
  }

  private async cleanupOne(record: PluginRecord): Promise<void> {
    const error = await this.cleanupInstance(record, record.instance!);
    this.registry.transition(record, error ? PluginState.FAILED : PluginState.DISABLED, error);
  }

  /** What a phase's `ctx` is: the plugin's name, logger, the phase's signal (created if read), host services and the config. */
  phaseContext(record: PluginRecord, phase: PhaseSignal, config: object = record.config ?? {}): PluginContext<object> {
    const host = (token: InjectionToken): unknown => this.hostService(record, token);
    return {
      name: record.name,
      logger: this.loggerOf(record.name),
      get signal() {
        return phase.signal;
      },
      get: host as PluginContext<object>['get'],
      config,
    };
  }

  private readonly loggers = new Map<string, Logger>();

  private loggerOf(name: string): Logger {
    let logger = this.loggers.get(name);
    if (!logger) this.loggers.set(name, (logger = pluginLogger(name)));
    return logger;
  }

  /** `ctx.get(token)`: a host provider the plugin declared in `inject` and the host lists in `expose`. */
  private hostService<T>(record: PluginRecord, token: InjectionToken): T {
    const exposed = exposedToken(record.name, record.metadata, this.options.expose, token);
    return this.moduleRef.get(exposed, { strict: false }) as T;
  }

  private warnUndeclaredHooks(): void {
    for (const record of this.registry.all()) {
      const hooks = [...new Set(undeclaredHooks(record, this.options.hooks))];
      if (hooks.length === 0) continue;
      const warning = `plugin "${record.name}" implements hook${hooks.length > 1 ? 's' : ''} ${hooks.map((hook) => `"${hook}"`).join(', ')} that the host does not declare (module option hooks: [${[...(this.options.hooks ?? [])].map((hook) => `"${hook}"`).join(', ')}]); it is never called unless the host calls it. Check the hook name.`;
      if (!record.warnings.includes(warning)) record.warnings.push(warning);
    }
  }

  private logStartup(): void {
    this.warnUndeclaredHooks();
    const counts = new Map<string, number>();
    for (const record of this.registry.all()) {
      counts.set(record.state, (counts.get(record.state) ?? 0) + 1);
      const { phases, totalMs } = startupPhases(record.timings);
      const spent = Object.entries(phases).map(([phase, ms]) => `${phase} ${ms} ms`);
      const state = record.lazy && record.state === PluginState.DISCOVERED ? 'lazy (loads on first use)' : record.state;
      const line = `${record.name}@${record.metadata.version} [${record.metadata.type}] from ${record.source.description}: ${state} in ${totalMs} ms${spent.length ? ` (${spent.join(', ')})` : ''}`;
      for (const warning of record.warnings) this.logger.warn(warning);
      if (record.state === PluginState.FAILED) {
        const message = `${line}: ${record.error?.message ?? 'unknown error'}`;
        if (record.required) this.logger.error(message);
        else this.logger.warn(message);
      } else this.logger.log(line);
    }
    const summary = [...counts].map(([state, count]) => `${count} ${state}`).join(', ') || 'no plugins';
    this.logger.log(`plugins started in ${this.startupMs} ms: ${summary}`);
  }
}

/** Hook names plugins implement but the host did not declare (module option `hooks`). */
function undeclaredHooks(record: PluginRecord, declared: ReadonlySet<string> | undefined): string[] {
  return hookImplementations(record.pluginClass)
    .map(({ hook }) => hook)
    .filter((hook) => !declared?.has(hook));
}
