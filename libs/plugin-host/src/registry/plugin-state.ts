/** Where a plugin is in its life: `discovered → loaded → enabled ⇄ disabled`, or `failed`. */
export const PluginState = {
  /** Declared and accepted; not instantiated yet. Lazy plugins stay here until their first use. */
  DISCOVERED: 'discovered',
  /** Instantiated; `initialize` has not finished yet. */
  LOADED: 'loaded',
  /** Initialized and serving calls. */
  ENABLED: 'enabled',
  /** Turned off by the operator (or cleaned up at shutdown); calls fail with `PLUGIN_DISABLED`. */
  DISABLED: 'disabled',
  /** Refused or broken; `error` says why. Calls fail with `PLUGIN_DISABLED`. */
  FAILED: 'failed',
} as const;

export type PluginState = (typeof PluginState)[keyof typeof PluginState];
