import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuditLog, type AuditEntry } from '../manager/audit-log.js';
import type { PluginStateStore } from '../contracts/plugin-state-store.interface.js';

/**
 * The audit of every replica, as `PluginManager.audit()` lists it when replicas share a store: this replica's entries
 * go to the store's capped stream (kept here while it is down, sent when it is back, so none is lost), other replicas'
 * arrive through the subscription, and a reconnect reads the stream again.
 */
export class ClusterAudit {
  private readonly logger = new Logger('PluginHost');
  private log = new AuditLog();
  private readonly ids = new Set<string>();
  private unsent: AuditEntry[] = [];

  constructor(
    private readonly store: PluginStateStore,
    private readonly replica: string,
  ) {}

  /** This replica's entry: listed at once, sent to the store. */
  add(entry: AuditEntry): void {
    const own = { ...entry, replica: this.replica, id: randomUUID() };
    this.keep(own);
    this.send(own);
  }

  /** Another replica's entry (or this one's, echoed back). */
  received(entry: AuditEntry): void {
    if (entry.id === undefined || !this.ids.has(entry.id)) this.keep(entry);
  }

  list(): AuditEntry[] {
    return this.log.list();
  }

  /** The store is back: what it missed is sent, then the list is the stream's (everyone's, in the store's order). */
  async resync(): Promise<void> {
    for (const entry of this.unsent.splice(0)) await this.store.appendAudit(entry);
    const entries = await this.store.readAudit(this.log.capacity);
    this.log = new AuditLog(this.log.capacity);
    this.ids.clear();
    for (const entry of entries) this.keep(entry);
  }

  private keep(entry: AuditEntry): void {
    const evicted = this.log.add(entry);
    if (evicted?.id !== undefined) this.ids.delete(evicted.id);
    if (entry.id !== undefined) this.ids.add(entry.id);
  }

  private send(entry: AuditEntry): void {
    this.store.appendAudit(entry).catch((error: unknown) => {
      if (this.unsent.length >= this.log.capacity) this.unsent.shift();
      this.unsent.push(entry);
      this.logger.debug?.(`audit entry kept until the state store is back: ${(error as Error)?.message}`);
    });
  }
}
