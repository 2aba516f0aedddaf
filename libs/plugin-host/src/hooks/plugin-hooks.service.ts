import type { Logger } from '@nestjs/common';
import type { PluginError } from '../errors/index.js';

/** What one implementation gave: its value, or why it failed (it threw, rejected or timed out). */
export type HookResult<T = unknown> =
  { plugin: string; ok: true; value: T } | { plugin: string; ok: false; error: PluginError };

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
 *
 * The token to inject and its API: the app gets the implementation
 * (`HookRunner`) as it boots, so importing the library does not load it.
 */
export abstract class PluginHooks {
  /**
   * Every implementation's result, in the order they ran.
   *
   * @example
   * const results = await hooks.call('detection.completed', { algorithm, anomalies });
   * const failed = results.filter((r) => !r.ok);
   */
  abstract call<T = unknown>(hook: string, payload?: unknown): Promise<HookResult<T>[]>;

  /**
   * The first result that is not `undefined` (pluggy's `firstresult`): later
   * implementations do not run. Failures are logged and skipped.
   *
   * @example
   * const threshold = await hooks.callFirst<number>('threshold.choose', { algorithm });
   */
  abstract callFirst<T = unknown>(hook: string, payload?: unknown): Promise<T | undefined>;

  /** Who implements `hook` now, in call order. */
  abstract implementations(hook: string): { plugin: string; method: string; priority: number }[];
}
