/** What `healthCheck()` returns. A thrown error or a timeout counts as `down`. */
export interface PluginHealth {
  status: 'up' | 'down';
  /** Why it is down, or anything an operator should read. */
  message?: string;
  /** Extra facts shown in `/health` (must be JSON-serialisable). */
  details?: Record<string, unknown>;
}
