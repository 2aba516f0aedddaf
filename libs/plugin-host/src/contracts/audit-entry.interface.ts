/** One change made to a plugin at runtime. */
export interface AuditEntry {
  time: string;
  /** `enable`, `disable`, `reload`, `updateConfig`. */
  operation: string;
  plugin: string;
  /** The HTTP route, for changes made through the admin endpoints. */
  route?: string;
  /** Who asked, when known (the admin guard's user, or `token`). */
  actor?: string;
  /** The replica that made the change, when replicas share a state store. */
  replica?: string;
  /** Unique per entry, when replicas share a state store (the cluster's history lists each once). */
  id?: string;
  outcome: 'ok' | 'error';
  /** The error code and message of a failed change. */
  code?: string;
  message?: string;
}
