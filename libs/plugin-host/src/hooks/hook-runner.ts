import { Logger } from '@nestjs/common';
import { PluginError, PluginErrorCode, describeError } from '../errors/index.js';
import type { PluginReferences } from '../injection/index.js';
import type { ResolvedPluginOptions } from '../lifecycle/resolved-options.js';
import { runPhase, timeoutsFor } from '../lifecycle/run-phase.js';
import { PluginState } from '../registry/plugin-state.js';
import type { PluginRecord, PluginRegistry } from '../registry/index.js';
import { hookImplementations } from '../manifest/on-hook.decorator.js';
import { PluginHooks, type HookContext, type HookResult } from './plugin-hooks.service.js';
import { pluginLogger } from '../registry/plugin-logger.js';

/** The work behind `PluginHooks` (see there), built as the app boots. */
export class HookRunner extends PluginHooks {
  private readonly logger = new Logger('PluginHooks');

  constructor(
    private readonly registry: PluginRegistry,
    private readonly references: PluginReferences,
    private readonly options: ResolvedPluginOptions,
  ) {
    super();
  }

  override async call<T = unknown>(hook: string, payload?: unknown): Promise<HookResult<T>[]> {
    const results: HookResult<T>[] = [];
    for (const implementation of this.implementationsOf(hook))
      results.push(await this.run<T>(implementation, hook, payload));
    return results;
  }

  override async callFirst<T = unknown>(hook: string, payload?: unknown): Promise<T | undefined> {
    for (const implementation of this.implementationsOf(hook)) {
      const result = await this.run<T>(implementation, hook, payload);
      if (result.ok && result.value !== undefined) return result.value;
    }
    return undefined;
  }

  override implementations(hook: string): { plugin: string; method: string; priority: number }[] {
    return this.implementationsOf(hook).map(({ record, method, priority }) => ({
      plugin: record.name,
      method,
      priority,
    }));
  }

  private implementationsOf(
    hook: string,
  ): { record: PluginRecord; method: string; priority: number; timeout?: number }[] {
    const found = [];
    for (const record of this.registry.all()) {
      if (record.state !== PluginState.ENABLED) continue;
      for (const implementation of hookImplementations(record.pluginClass)) {
        if (implementation.hook === hook) found.push({ record, ...implementation });
      }
    }
    return found.sort((a, b) => b.priority - a.priority); // stable: dependency order among equals
  }

  private async run<T>(
    implementation: { record: PluginRecord; method: string; timeout?: number },
    hook: string,
    payload: unknown,
  ): Promise<HookResult<T>> {
    const { record, method } = implementation;
    const reference = this.references.referenceOf(record.name) as Record<
      string,
      (payload: unknown, ctx: HookContext) => unknown
    >;
    const timeout = implementation.timeout ?? timeoutsFor(record.metadata, this.options).hook;
    const outcome = await runPhase(record.name, 'hook', timeout, (phase) =>
      reference[method](payload, {
        plugin: record.name,
        hook,
        logger: pluginLogger(record.name),
        get signal() {
          return phase.signal;
        },
      }),
    );
    if (outcome.ok) return { plugin: record.name, ok: true, value: outcome.value as T };
    const error =
      outcome.error instanceof PluginError
        ? outcome.error
        : new PluginError(
            PluginErrorCode.HOOK_FAILED,
            `plugin "${record.name}" failed in hook "${hook}" (${method}): ${describeError(outcome.error)}`,
            {
              plugin: record.name,
              phase: 'hook',
              cause: outcome.error,
              details: { hook, method },
            },
          );
    this.logger.warn(error.message);
    return { plugin: record.name, ok: false, error };
  }
}
