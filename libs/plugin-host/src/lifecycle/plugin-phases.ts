import { Logger, type InjectionToken } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import { resolvePluginConfig, type ResolvedConfig } from '../config/index.js';
import type { PluginContext, PluginLifecycle } from '../contracts/index.js';
import { PluginError, PluginErrorCode, describeError } from '../errors/index.js';
import { exposedToken } from '../injection/host-access.js';
import type { PluginMetadata } from '../manifest/index.js';
import { PluginState, type PluginRecord, type PluginRegistry } from '../registry/index.js';
import { pluginLogger } from '../registry/plugin-logger.js';
import { blockingDependency } from './dependency-checks.js';
import type { ResolvedPluginOptions } from './resolved-options.js';
import { phaseError, runPhase, timeoutsFor, type PhaseSignal } from './run-phase.js';

/**
 * Runs one plugin's phases (config, `checkRequirements`, `initialize`, `cleanup`) under their timeouts, with the
 * `ctx` each gets. Boot, lazy loads, runtime operations and isolate restarts all start and stop plugins through it.
 */
export class PluginPhases {
  private readonly logger = new Logger('PluginHost');
  private readonly loggers = new Map<string, Logger>();

  constructor(
    private readonly registry: PluginRegistry,
    private readonly options: ResolvedPluginOptions,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** Initializes a `loaded` plugin whose dependencies can run: `enabled`, or `failed` with why. */
  async start(record: PluginRecord): Promise<void> {
    if (record.state !== PluginState.LOADED) return;
    const blocked = blockingDependency(this.registry, record);
    if (blocked) return void this.registry.transition(record, PluginState.FAILED, blocked);
    const { instance } = record;
    if (!instance)
      return void this.registry.transition(record, PluginState.FAILED, this.registry.unavailableError(record));
    const { config, error } = await this.initialize(record, instance, record.metadata);
    if (error) return void this.registry.transition(record, PluginState.FAILED, error);
    this.registry.setConfig(record, { config });
    this.registry.transition(record, PluginState.ENABLED);
  }

  /**
   * Resolves the config, runs `checkRequirements` and `initialize` of `instance` (the record's own, or the new one a
   * reload builds) under the initialize timeout. Never throws: the error says what failed. The state is left alone.
   */
  async initialize(
    record: PluginRecord,
    instance: object,
    metadata: PluginMetadata,
  ): Promise<{ config?: object; error?: PluginError }> {
    const timeouts = timeoutsFor(metadata, this.options);
    const configured = await runPhase(record.name, 'configure', timeouts.initialize, () =>
      this.resolveConfig(record, metadata, record.configUpdates),
    );
    this.registry.recordTiming(record, 'configure', configured.ms);
    if (!configured.ok || !configured.value) return { error: phaseError(record.name, 'configure', configured.error) };
    const { config, warnings } = configured.value;
    for (const warning of warnings) this.registry.addWarning(record, warning);

    const plugin = instance as PluginLifecycle<object>;
    if (typeof plugin.checkRequirements === 'function') {
      const check = plugin.checkRequirements.bind(plugin);
      const checked = await runPhase(record.name, 'checkRequirements', timeouts.initialize, (signal) =>
        check(this.context(record, signal, config)),
      );
      this.registry.recordTiming(record, 'requirements', checked.ms);
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
                { plugin: record.name, phase: 'checkRequirements', ...(!checked.ok && { cause: checked.error }) },
              );
        return { error };
      }
    }
    if (typeof plugin.initialize === 'function') {
      const initialize = plugin.initialize.bind(plugin);
      const initialized = await runPhase(record.name, 'initialize', timeouts.initialize, (signal) =>
        initialize(config, this.context(record, signal, config)),
      );
      this.registry.recordTiming(record, 'initialize', initialized.ms);
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
      // Own keys only: a plugin named toString has no config by accident.
      options: Object.hasOwn(this.options.config, record.name) ? this.options.config[record.name] : undefined,
      env: this.options.env,
      otherPlugins: this.registry.names(),
      updates,
    });
  }

  /** Runs `configure(config)` of an enabled plugin under the initialize timeout; returns what the plugin threw, if anything. */
  async configure(record: PluginRecord, configure: (config: object, ctx: object) => unknown, config: object) {
    const outcome = await runPhase(
      record.name,
      'configure',
      timeoutsFor(record.metadata, this.options).initialize,
      (signal) => configure(config, this.context(record, signal, config)),
    );
    return outcome.ok ? undefined : outcome.error;
  }

  /** Runs `cleanup` of `instance` under the cleanup timeout. Never throws: returns the error, if any. */
  async cleanup(record: PluginRecord, instance: object): Promise<PluginError | undefined> {
    const plugin = instance as PluginLifecycle<object>;
    if (typeof plugin.cleanup !== 'function') return undefined;
    const cleanup = plugin.cleanup.bind(plugin);
    const outcome = await runPhase(
      record.name,
      'cleanup',
      timeoutsFor(record.metadata, this.options).cleanup,
      (signal) => cleanup(this.context(record, signal)),
    );
    this.registry.recordTiming(record, 'cleanup', outcome.ms);
    if (outcome.ok) {
      this.logger.log(`${record.name}: cleaned up in ${outcome.ms} ms`);
      return undefined;
    }
    const error = phaseError(record.name, 'cleanup', outcome.error);
    this.logger.error(`${record.name}: cleanup failed in ${outcome.ms} ms: ${error.message}`);
    return error;
  }

  /** A phase's `ctx`: the plugin's name, logger, the phase's signal (created if read), host services and the config. */
  context(record: PluginRecord, phase: PhaseSignal, config: object = record.config ?? {}): PluginContext<object> {
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

  private loggerOf(name: string): Logger {
    let logger = this.loggers.get(name);
    if (!logger) this.loggers.set(name, (logger = pluginLogger(name)));
    return logger;
  }

  /** `ctx.get(token)`: a host provider the plugin declared in `inject` and the host lists in `expose`. */
  private hostService(record: PluginRecord, token: InjectionToken): unknown {
    const exposed = exposedToken(record.name, record.metadata, this.options.expose, token);
    return this.moduleRef.get(exposed, { strict: false });
  }
}
