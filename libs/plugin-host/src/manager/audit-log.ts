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
  outcome: 'ok' | 'error';
  /** The error code and message of a failed change. */
  code?: string;
  message?: string;
}

/** Who asks for a change and how (the admin endpoints pass it on). */
export interface OperationContext {
  actor?: string;
  route?: string;
}

/** The last `capacity` changes, oldest first. A ring: memory stays bounded however long the app runs. */
export class AuditLog {
  private readonly entries: AuditEntry[] = [];
  private next = 0;

  constructor(readonly capacity = 1000) {}

  add(entry: AuditEntry): void {
    if (this.entries.length < this.capacity) this.entries.push(entry);
    else this.entries[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Copies, oldest first. */
  list(): AuditEntry[] {
    const ordered =
      this.entries.length < this.capacity
        ? this.entries
        : [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)];
    return ordered.map((entry) => ({ ...entry }));
  }
}
