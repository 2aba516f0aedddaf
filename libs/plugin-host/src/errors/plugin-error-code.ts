/**
 * Every error a user can cause has one of these stable codes. Match on the code,
 * never on the message: messages get better, codes stay.
 */
export const PluginErrorCode = {
  /** No plugin with that name exists. */
  NOT_FOUND: 'PLUGIN_NOT_FOUND',
  /** The plugin's `compatibility` range does not include the host version. */
  INCOMPATIBLE: 'PLUGIN_INCOMPATIBLE',
  /** The resolved config does not pass the plugin's `configSchema`. */
  CONFIG_INVALID: 'PLUGIN_CONFIG_INVALID',
  /** A plugin it depends on is absent or its version is out of the declared range. */
  DEPENDENCY_MISSING: 'PLUGIN_DEPENDENCY_MISSING',
  /** A plugin it depends on exists but did not start (failed or disabled). */
  DEPENDENCY_FAILED: 'PLUGIN_DEPENDENCY_FAILED',
  /** Plugins depend on each other in a circle. */
  DEPENDENCY_CYCLE: 'PLUGIN_DEPENDENCY_CYCLE',
  /** A lifecycle phase did not finish within its timeout. */
  TIMEOUT: 'PLUGIN_TIMEOUT',
  /** Two plugins declare the same name. */
  DUPLICATE: 'PLUGIN_DUPLICATE',
  /** What the plugin declares (name, type, version, ranges) is missing or malformed. */
  MANIFEST_INVALID: 'PLUGIN_MANIFEST_INVALID',
  /** The plugin exists but is not enabled (disabled, failed, or not started yet). */
  DISABLED: 'PLUGIN_DISABLED',
  /** A lazy plugin's synchronous method was called before the plugin was loaded (`PluginManager.load(name)` first). */
  NOT_LOADED: 'PLUGIN_NOT_LOADED',
  /** The plugin's module could not be imported, or its class could not be instantiated. */
  LOAD_FAILED: 'PLUGIN_LOAD_FAILED',
  /** `initialize()` threw or rejected. */
  INIT_FAILED: 'PLUGIN_INIT_FAILED',
  /** `cleanup()` threw or rejected. */
  CLEANUP_FAILED: 'PLUGIN_CLEANUP_FAILED',
  /** An `@OnHook()` implementation threw or rejected (the other implementations still ran). */
  HOOK_FAILED: 'PLUGIN_HOOK_FAILED',
  /** An isolated plugin's worker or process died, ran out of memory or stopped answering; calls in flight get this. */
  CRASHED: 'PLUGIN_CRASHED',
  /** An isolated plugin crashed more often than its crash budget allows; it stays off until an operator enables it. */
  QUARANTINED: 'PLUGIN_QUARANTINED',
  /** An argument or result of an isolated plugin cannot be structured-cloned across the boundary. */
  NOT_CLONEABLE: 'PLUGIN_NOT_CLONEABLE',
  /** The trust policy refused the plugin (deny or allow rule, or an integrity mismatch); it was never imported. */
  UNTRUSTED: 'PLUGIN_UNTRUSTED',
  /** `ctx.get(token)` for a token the plugin did not declare in `inject` or the host did not `expose`. */
  ACCESS_DENIED: 'PLUGIN_ACCESS_DENIED',
  /** An isolated plugin sent a message outside the host–isolate protocol (wrong shape, type, id or size); the isolate is killed. */
  PROTOCOL_ERROR: 'PLUGIN_PROTOCOL_ERROR',
  /** An isolated plugin went over a resource cap: its total memory (heap, off-heap, buffers), or a result or message over the size limit. */
  RESOURCE_LIMIT: 'PLUGIN_RESOURCE_LIMIT',
  /** A plugin refused a call's data or parameters (the message says which row, column or field): the caller's mistake, a 400. */
  INPUT_INVALID: 'PLUGIN_INPUT_INVALID',
  /** A module plugin's route prefix is taken by another plugin or by the host's own routes; the later plugin is not served. */
  ROUTE_CONFLICT: 'PLUGIN_ROUTE_CONFLICT',
  /**
   * The replicas' state store (`state: { store }`) did not answer within its timeout, or is down: the operation was
   * not applied anywhere (the replicas keep their state). Retry once the store is back; `/health` shows its status.
   */
  STATE_UNAVAILABLE: 'PLUGIN_STATE_UNAVAILABLE',
  /** A module option is malformed (not a plugin's fault). */
  OPTIONS_INVALID: 'PLUGIN_OPTIONS_INVALID',
} as const;

export type PluginErrorCode = (typeof PluginErrorCode)[keyof typeof PluginErrorCode];
