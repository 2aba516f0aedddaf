export type { AuditEntry } from '../contracts/audit-entry.interface.js';
import type { AuditEntry } from '../contracts/audit-entry.interface.js';

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

  /** Adds `entry`; returns the oldest entry, when it made room for it. */
  add(entry: AuditEntry): AuditEntry | undefined {
    let evicted: AuditEntry | undefined;
    if (this.entries.length < this.capacity) this.entries.push(entry);
    else [evicted, this.entries[this.next]] = [this.entries[this.next], entry];
    this.next = (this.next + 1) % this.capacity;
    return evicted;
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
