import type { PluginErrorCode } from '../errors/index.js';
import type { PluginState } from './plugin-state.js';

/**
 * The events a host can listen to (`pluginManager.on(...)`): one per state a plugin
 * enters (`plugin.enabled`, `plugin.disabled`, `plugin.failed`, `plugin.loaded`,
 * `plugin.discovered`), and `plugin.reloaded` / `plugin.config-updated` after
 * those operations.
 */
export type PluginEventName = `plugin.${PluginState}` | 'plugin.reloaded' | 'plugin.config-updated';

/** What a `PluginManager.on()` listener gets when a plugin changes state, is reloaded or reconfigured. */
export interface PluginEvent {
  name: PluginEventName;
  plugin: string;
  state: PluginState;
  /** The state before the change (same as `state` for `reloaded` / `config-updated`). */
  previousState: PluginState;
  /** Why, for `plugin.failed`. */
  error?: { code: PluginErrorCode; message: string };
  at: Date;
}
