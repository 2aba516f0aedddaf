import { Inject, Injectable, Logger } from '@nestjs/common';
import { PluginError, PluginErrorCode, describeError } from '../errors/index.js';
import { runPhase, timeoutsFor, type ResolvedPluginOptions } from '../lifecycle/index.js';
import { RESOLVED_PLUGIN_OPTIONS } from '../plugin.constants.js';
import { PluginRegistry, PluginState, type PluginRecord } from '../registry/index.js';
import { hookImplementations } from './on-hook.decorator.js';

/** What one implementation gave: its value, or why it failed (it threw, rejected or timed out). */
export type HookResult<T = unknown> = { plugin: string; ok: true; value: T } | { plugin: string; ok: false; error: PluginError };

/** What an `@OnHook()` method gets after the payload. */
export interface HookContext {
  plugin: string;
  hook: string;
  logger: Logger;
  /** Aborted when the implementation times out. */
  signal: AbortSignal;
}

/**
 * Calls host hooks on the enabled plugins that implement them with `@OnHook()`:
 * higher priority first, equal priority in plugin dependency order, one after
 * the other, each under its timeout. An implementation that throws or times out
 * is reported and logged; the others still run. Calls go through the plugin's
 * reference, so a reloaded plugin's new hooks run and a disabled plugin's do not.
 */
@Injectable()
export class PluginHooks {
  private readonly logger = new Logger('PluginHooks');

  constructor(
    private readonly registry: PluginRegistry,
    @Inject(RESOLVED_PLUGIN_OPTIONS) private readonly options: ResolvedPluginOptions,
  ) {}

  /**
   * Every implementation's result, in the order they ran.
   *
   * @example
   * const results = await hooks.call('detection.completed', { algorithm, anomalies });
   * const failed = results.filter((r) => !r.ok);
   */
  async call<T = unknown>(hook: string, payload?: unknown): Promise<HookResult<T>[]> {
    const results: HookResult<T>[] = [];
    for (const implementation of this.implementationsOf(hook)) results.push(await this.run<T>(implementation, hook, payload));
    return results;
  }

  /**
   * The first result that is not `undefined` (pluggy's `firstresult`): later
   * implementations do not run. Failures are logged and skipped.
   *
   * @example
   * const threshold = await hooks.callFirst<number>('threshold.choose', { algorithm });
   */
  async callFirst<T = unknown>(hook: string, payload?: unknown): Promise<T | undefined> {
    for (const implementation of this.implementationsOf(hook)) {
      const result = await this.run<T>(implementation, hook, payload);
      if (result.ok && result.value !== undefined) return result.value;
    }
    return undefined;
  }

  /** Who implements `hook` now, in call order. */
  implementations(hook: string): { plugin: string; method: string; priority: number }[] {
    return this.implementationsOf(hook).map(({ record, method, priority }) => ({ plugin: record.name, method, priority }));
  }

  private implementationsOf(hook: string): { record: PluginRecord; method: string; priority: number; timeout?: number }[] {
    const found = [];
    for (const record of this.registry.all()) {
      if (record.state !== PluginState.ENABLED) continue;
      for (const implementation of hookImplementations(record.pluginClass)) {
        if (implementation.hook === hook) found.push({ record, ...implementation });
      }
    }
    return found.sort((a, b) => b.priority - a.priority); // stable: dependency order among equals
  }

  private async run<T>(implementation: { record: PluginRecord; method: string; timeout?: number }, hook: string, payload: unknown): Promise<HookResult<T>> {
    const { record, method } = implementation;
    const reference = this.registry.referenceOf(record.name) as Record<string, (payload: unknown, ctx: HookContext) => unknown>;
    const timeout = implementation.timeout ?? timeoutsFor(record.metadata, this.options).hook;
    const outcome = await runPhase(record.name, 'hook', timeout, (phase) =>
      reference[method](payload, {
        plugin: record.name,
        hook,
        logger: new Logger(`Plugin:${record.name}`),
        get signal() {
          return phase.signal;
        },
      }),
    );
    if (outcome.ok) return { plugin: record.name, ok: true, value: outcome.value as T };
    const error =
      outcome.error instanceof PluginError
        ? outcome.error
        : new PluginError(PluginErrorCode.HOOK_FAILED, `plugin "${record.name}" failed in hook "${hook}" (${method}): ${describeError(outcome.error)}`, {
            plugin: record.name,
            phase: 'hook',
            cause: outcome.error,
            details: { hook, method },
          });
    this.logger.warn(error.message);
    return { plugin: record.name, ok: false, error };
  }
}
