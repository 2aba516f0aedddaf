import type { HealthIndicatorResult } from '@nestjs/terminus';
import type { PluginState } from '../registry/plugin-state.js';

/** One plugin's entry in the health result. */
export interface PluginHealthEntry {
  status: 'up' | 'down';
  state: PluginState;
  version: string;
  /** ms the plugin's `healthCheck` took (absent when it has none). */
  responseMs?: number;
  message?: string;
  code?: string;
  details?: Record<string, unknown>;
}

/**
 * Plugin health for a Terminus `HealthCheckService.check([...])`: one indicator
 * for all plugins, so `/health` stays cheap with many of them. Every enabled
 * plugin's `healthCheck` runs concurrently under its timeout; a throw, a
 * rejection or a timeout is `down` with the reason, never an exception (Terminus
 * would turn it into a 500). Failed plugins are listed as `down` so an operator
 * sees them; lazy plugins not loaded yet are `up` (nothing of them runs). The
 * indicator is `down` when an enabled plugin is down or a required one failed.
 *
 * The token to inject and its API: the app gets the implementation
 * (`PluginHealthChecks`) as it boots, so importing the library does not load it.
 */
export abstract class PluginHealthIndicator {
  /**
   * @param key the key of the result in the Terminus response
   * @example
   * @Get('health') @HealthCheck()
   * check() { return this.health.check([() => this.plugins.check()]); }
   */
  abstract check<const Key extends string = 'plugins'>(key?: Key): Promise<HealthIndicatorResult<Key>>;
}
