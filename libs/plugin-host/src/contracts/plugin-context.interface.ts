import type { LoggerService, Type } from '@nestjs/common';

/** What a plugin gets in every lifecycle phase. */
export interface PluginPhaseContext {
  /** The plugin's name. */
  readonly name: string;
  /** A Nest logger whose context is `Plugin:<name>`. */
  readonly logger: LoggerService;
  /** Aborted when the phase times out (its `reason` is the `PLUGIN_TIMEOUT` error): stop work and return. */
  readonly signal: AbortSignal;
}

/** What `initialize(config, ctx)` gets: the phase context plus the resolved, validated config. */
export interface PluginContext<C extends object = Record<string, unknown>> extends PluginPhaseContext {
  readonly config: C;
  /**
   * A host provider the plugin declared in `@Plugin({ inject })` and the host lists in `expose`; anything else throws
   * `PLUGIN_ACCESS_DENIED`. In the `worker` and `process` tiers it returns a stand-in whose methods run on the host (async).
   */
  get<T = unknown>(token: string | symbol | Type<T>): T;
}
