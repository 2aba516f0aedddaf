import type { PluginContext, PluginPhaseContext } from './plugin-context.interface.js';
import type { PluginHealth } from './plugin-health.interface.js';

/**
 * The lifecycle every plugin may implement; all methods are optional. The host
 * calls them in dependency order, each under its own timeout, and never lets one
 * plugin's failure stop the others.
 */
export interface PluginLifecycle<C extends object = Record<string, unknown>> {
  /**
   * Before `initialize`, with the validated config: checks what npm cannot (a binary, a Python module).
   * Return (or throw with) a message saying what is missing and how to install it; the plugin is then
   * `failed` with `PLUGIN_DEPENDENCY_MISSING` and that message. Return nothing when all is there.
   */
  checkRequirements?(ctx: PluginContext<C>): void | string | undefined | Promise<void | string | undefined>;
  /** Once, after dependencies are initialized, with the validated config. */
  initialize?(config: C, ctx: PluginContext<C>): void | Promise<void>;
  /** When the config changes at runtime; without it the plugin is re-initialized instead. */
  configure?(config: C, ctx: PluginContext<C>): void | Promise<void>;
  /** On every health request. Throwing, rejecting or timing out all mean `down`. */
  healthCheck?(ctx: PluginPhaseContext): PluginHealth | Promise<PluginHealth>;
  /** Once at shutdown, after the plugins that depend on this one have cleaned up. */
  cleanup?(ctx: PluginPhaseContext): void | Promise<void>;
}
