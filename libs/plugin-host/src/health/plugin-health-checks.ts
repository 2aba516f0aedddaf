import { Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import type { PluginHealth, PluginLifecycle } from '../contracts/index.js';
import { describeError } from '../errors/index.js';
import type { ResolvedPluginOptions } from '../lifecycle/resolved-options.js';
import { runPhase, timeoutsFor } from '../lifecycle/run-phase.js';
import { PluginState } from '../registry/plugin-state.js';
import type { PluginRecord, PluginRegistry } from '../registry/index.js';
import { PluginHealthIndicator, type PluginHealthEntry } from './plugin-health.indicator.js';
import { pluginLogger } from '../registry/plugin-logger.js';

/** The replicas' shared state (StateSync), when the host has a store: its entry in the health result. */
export interface SharedStateHealth {
  /** Goes up whenever `health()` may have changed. */
  readonly revision: number;
  health(): Record<string, unknown>;
}

/**
 * The key of the shared state's entry beside the plugins' (a plugin name starts with a letter or digit, so it is
 * never this).
 */
export const STATE_HEALTH_KEY = '@state';

/** The work behind `PluginHealthIndicator` (see there), built as the app boots. */
export class PluginHealthChecks extends PluginHealthIndicator {
  private running?: Promise<{ up: boolean; details: Record<string, PluginHealthEntry>; at: number; version: number }>;
  private last?: { up: boolean; details: Record<string, PluginHealthEntry>; at: number; version: number };
  private readonly loggers = new Map<string, Logger>();
  private readonly results = new Map<string, { outcome: object; result: HealthIndicatorResult<string> }>();

  constructor(
    private readonly registry: PluginRegistry,
    private readonly options: ResolvedPluginOptions,
    private readonly shared?: SharedStateHealth,
  ) {
    super();
  }

  override async check<const Key extends string = 'plugins'>(
    key: Key = 'plugins' as Key,
  ): Promise<HealthIndicatorResult<Key>> {
    // Requests arriving while a check runs share it, and a result younger than healthCacheMs is reused while
    // no plugin changed state: under load every plugin is checked once per window, not once per request.
    const now = performance.now();
    const version = this.registry.version + (this.shared?.revision ?? 0);
    if (!this.last || now - this.last.at > this.options.healthCacheMs || this.last.version !== version) {
      this.running ??= this.checkAll().then(
        (result) => {
          this.last = { ...result, at: performance.now(), version };
          this.running = undefined;
          return this.last;
        },
        (error: unknown) => {
          this.running = undefined;
          throw error;
        },
      );
    }
    const running = this.running;
    const outcome = running ? await running : this.last;
    if (!outcome) throw new Error('no health outcome'); // a check ran, or a fresh outcome is kept
    // One Terminus result per outcome and key: a reused outcome costs the request nothing more.
    const cached = this.results.get(key);
    if (cached?.outcome === outcome) return cached.result as HealthIndicatorResult<Key>;
    // The shape Terminus's HealthIndicatorService builds, made here: importing the library does not load Terminus. (A
    // plugin named `status` is refused by manifest validation; its failed entry gives way to the status here.)
    const state = this.shared && { [STATE_HEALTH_KEY]: this.shared.health() };
    const result = {
      [key]: { ...outcome.details, ...state, status: outcome.up ? 'up' : 'down' },
    } as HealthIndicatorResult<Key>;
    this.results.set(key, { outcome, result });
    return result;
  }

  private async checkAll(): Promise<{ up: boolean; details: Record<string, PluginHealthEntry> }> {
    const shown = this.registry
      .all()
      .filter(
        (record) =>
          record.state === PluginState.ENABLED ||
          record.state === PluginState.FAILED ||
          (record.lazy && record.state === PluginState.DISCOVERED),
      );
    const entries = await Promise.all(shown.map((record) => this.checkOne(record)));
    const details: Record<string, PluginHealthEntry> = {};
    let up = true;
    const all = this.options.healthDetails === 'all';
    shown.forEach((record, i) => {
      if (all || entries[i].status === 'down') details[record.name] = entries[i];
      if (entries[i].status === 'down' && (record.state === PluginState.ENABLED || record.required)) up = false;
    });
    return { up, details };
  }

  private loggerOf(name: string): Logger {
    let logger = this.loggers.get(name);
    if (!logger) this.loggers.set(name, (logger = pluginLogger(name)));
    return logger;
  }

  private async checkOne(record: PluginRecord): Promise<PluginHealthEntry> {
    const base = { state: record.state, version: record.metadata.version };
    if (record.state === PluginState.FAILED) {
      return { status: 'down', ...base, code: record.error?.code, message: record.error?.message };
    }
    if (record.state === PluginState.DISCOVERED) return { status: 'up', ...base, message: 'lazy: loads on first use' };
    const plugin = record.instance as PluginLifecycle<object>;
    if (typeof plugin.healthCheck !== 'function') return { status: 'up', ...base };
    const healthCheck = plugin.healthCheck.bind(plugin);
    const outcome = await runPhase(
      record.name,
      'healthCheck',
      timeoutsFor(record.metadata, this.options).healthCheck,
      (signal) =>
        healthCheck({
          name: record.name,
          logger: this.loggerOf(record.name),
          get signal() {
            return signal.signal;
          },
        }),
    );
    if (!outcome.ok) {
      return {
        status: 'down',
        ...base,
        responseMs: outcome.ms,
        message: describeError(outcome.error),
        ...(outcome.timedOut && { code: 'PLUGIN_TIMEOUT' }),
      };
    }
    const result = outcome.value as PluginHealth | undefined;
    const status = result?.status === 'up' ? 'up' : 'down';
    return {
      status,
      ...base,
      responseMs: outcome.ms,
      ...(result?.message !== undefined && { message: result.message }),
      ...(result?.details !== undefined && { details: result.details }),
      ...(status === 'down' &&
        result?.status !== 'down' && {
          message: `healthCheck returned ${JSON.stringify(result)}; expected { status: 'up' | 'down' }`,
        }),
    };
  }
}
