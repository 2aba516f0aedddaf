import { performance } from 'node:perf_hooks';
import { describeError, PluginError, PluginErrorCode } from '../errors/index.js';
import type { PluginMetadata, PluginTimeouts } from '../manifest/index.js';
import type { ResolvedPluginOptions } from './resolved-options.js';
import { roundMs } from './startup-timing.js';

type PluginPhase = 'load' | 'configure' | 'checkRequirements' | 'initialize' | 'healthCheck' | 'cleanup' | 'hook';

interface PhaseOutcome<T> {
  ok: boolean;
  value?: T;
  /** What went wrong: a `PLUGIN_TIMEOUT`, or whatever the plugin threw. */
  error?: unknown;
  timedOut: boolean;
  ms: number;
}

/**
 * The `AbortSignal` of one phase, created only if the plugin reads it: most
 * phases (a synchronous healthCheck, say) never do, and creating an
 * AbortController is the costliest part of a cheap phase.
 */
export class PhaseSignal {
  private controller?: AbortController;
  private reason?: unknown;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.reason !== undefined) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.reason !== undefined;
  }

  abort(reason: unknown): void {
    this.reason = reason;
    this.controller?.abort(reason);
  }
}

/** A plugin's phase timeouts: defaults < module `timeouts` < `@Plugin({ timeouts })` < module `pluginTimeouts[name]`. */
export function timeoutsFor(metadata: PluginMetadata, options: ResolvedPluginOptions): PluginTimeouts {
  const own = Object.hasOwn(options.pluginTimeouts, metadata.name) ? options.pluginTimeouts[metadata.name] : undefined;
  return { ...options.timeouts, ...metadata.timeouts, ...own };
}

/**
 * Runs one phase of one plugin under a timeout, with an `AbortSignal` that is
 * aborted (reason: the `PLUGIN_TIMEOUT` error) when the time is up. Never throws:
 * the outcome says what happened. A phase that settles after its timeout is
 * ignored (its rejection is swallowed, so it cannot crash the host).
 *
 * @param timeoutMs `Infinity` runs without a timer
 */
export async function runPhase<T>(
  plugin: string,
  phase: PluginPhase,
  timeoutMs: number,
  work: (phase: PhaseSignal) => T | PromiseLike<T>,
): Promise<PhaseOutcome<T>> {
  const controller = new PhaseSignal();
  const started = performance.now();
  const elapsed = (): number => roundMs(performance.now() - started);
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = work(controller);
    // A phase that returns at once needs no timer (most initialize and healthCheck methods are synchronous).
    if (!isThenable(result)) return { ok: true, value: result, timedOut: false, ms: elapsed() };
    const running = Promise.resolve(result);
    running.catch(() => undefined);
    const value = Number.isFinite(timeoutMs)
      ? await Promise.race([
          running,
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              const error = new PluginError(
                PluginErrorCode.TIMEOUT,
                `plugin "${plugin}" did not finish ${phase} within ${timeoutMs} ms. Make ${phase} faster, or raise its timeout (module option timeouts.${phase}, pluginTimeouts["${plugin}"].${phase}, or @Plugin({ timeouts })).`,
                { plugin, phase, details: { timeoutMs } },
              );
              controller.abort(error);
              reject(error);
            }, timeoutMs);
          }),
        ])
      : await running;
    return { ok: true, value, timedOut: false, ms: elapsed() };
  } catch (error) {
    const timedOut = error instanceof PluginError && error.code === PluginErrorCode.TIMEOUT && controller.aborted;
    return { ok: false, error, timedOut, ms: elapsed() };
  } finally {
    clearTimeout(timer);
  }
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<T>).then === 'function';
}

/** The code for what a plugin threw in a phase of its own. */
const PHASE_CODES = {
  load: PluginErrorCode.LOAD_FAILED,
  configure: PluginErrorCode.CONFIG_INVALID,
  initialize: PluginErrorCode.INIT_FAILED,
  cleanup: PluginErrorCode.CLEANUP_FAILED,
} as const;

/**
 * What a plugin threw in `phase`, as a `PluginError` with that phase's code and what the host did about it
 * (`consequence`). An error already about this plugin (a timeout, a config error) keeps its own code.
 */
export function phaseError(
  plugin: string,
  phase: keyof typeof PHASE_CODES,
  error: unknown,
  consequence = 'Fix the plugin or its config; the other plugins keep running.',
): PluginError {
  if (error instanceof PluginError && error.plugin === plugin) return error;
  return new PluginError(
    PHASE_CODES[phase],
    `plugin "${plugin}" threw in ${phase}: ${describeError(error)}. ${consequence}`,
    {
      plugin,
      phase,
      cause: error,
    },
  );
}
