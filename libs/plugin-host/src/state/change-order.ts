import { Logger } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import type { OperationEffects } from '../lifecycle/index.js';
import type { PluginStateChange, VersionedPluginState } from '../contracts/plugin-state-store.interface.js';

/** A change past the next one arrived: the missing one is read from the store after this long (deliveries are in order, so it was lost). */
const GAP_MS = 250;

interface OwnChange {
  resolve(effects: OperationEffects | undefined): void;
  reject(error: unknown): void;
}

/**
 * Changes applied one at a time in version order, whatever order they arrive in: a change waits for the ones before
 * it; one that never arrives (lost while disconnected) makes the replica read the stored state (`missing`). Tasks run
 * on one chain, so a reconcile never runs beside an apply.
 */
export class ChangeOrder {
  private readonly logger = new Logger('PluginHost');
  private readonly pending = new Map<number, PluginStateChange>();
  /** The changes this replica made, whose callers wait for the outcome here. */
  private readonly own = new Map<number, OwnChange>();
  private readonly waiters = new Set<{ version: number; wake(): void }>();
  private chain: Promise<void> = Promise.resolve();
  private gapTimer?: NodeJS.Timeout;
  /** Goes up with every change applied. */
  revision = 0;

  constructor(
    /** Every change up to this version is applied here. */
    public applied: number,
    private readonly applyChange: (plugin: string, desired: VersionedPluginState) => Promise<OperationEffects | void>,
    private readonly missing: () => Promise<void>,
  ) {}

  /** One task at a time, after the ones before it; a failure is logged (the next task still runs). */
  run(task: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(task).catch((error: unknown) => {
      this.logger.warn(`plugin state: ${(error as Error)?.message ?? String(error)}`);
    });
    return this.chain;
  }

  /** A change from the store, applied in its turn. */
  receive(change: PluginStateChange): void {
    if (change.version <= this.applied || this.pending.has(change.version)) return;
    this.pending.set(change.version, change);
    void this.run(() => this.drain());
  }

  /** This replica's own change: resolves with what applying it did here, or rejects with why it failed here. */
  applyOwn(change: PluginStateChange): Promise<OperationEffects | undefined> {
    if (change.version <= this.applied) return Promise.resolve(undefined); // a reconcile applied it already
    const outcome = new Promise<OperationEffects | undefined>((resolve, reject) =>
      this.own.set(change.version, { resolve, reject }),
    );
    this.receive(change);
    return outcome;
  }

  /** Applies one plugin's desired state now (inside a task); a caller waiting for that version gets the outcome. */
  async apply(plugin: string, desired: VersionedPluginState): Promise<void> {
    const waiter = this.own.get(desired.version);
    this.own.delete(desired.version);
    try {
      // (Not `waiter?.resolve(await …)`: optional chaining would skip the apply itself when nobody waits.)
      const effects = await this.applyChange(plugin, desired);
      waiter?.resolve(effects ?? undefined);
    } catch (error) {
      if (waiter) waiter.reject(error);
      else
        this.logger.warn(
          `${plugin}: the change of version ${desired.version} failed here: ${(error as Error)?.message}`,
        );
    }
  }

  /** Applies the changes that arrived, in order; a gap is left for GAP_MS, then the store is read. */
  async drain(): Promise<void> {
    for (let next = this.pending.get(this.applied + 1); next; next = this.pending.get(this.applied + 1)) {
      this.pending.delete(next.version);
      await this.apply(next.plugin, next.desired);
      this.advance(next.version);
    }
    for (const version of this.pending.keys()) if (version <= this.applied) this.pending.delete(version);
    clearTimeout(this.gapTimer);
    this.gapTimer = undefined;
    if (this.pending.size > 0) this.gapTimer = setTimeout(() => void this.run(this.missing), GAP_MS).unref();
  }

  /** Everything up to `version` is applied here (a reconcile applied the stored state at that version). */
  advance(version: number): void {
    if (version <= this.applied) return;
    this.applied = version;
    this.revision++;
    for (const [ownVersion, waiter] of this.own)
      if (ownVersion <= version) {
        this.own.delete(ownVersion);
        waiter.resolve(undefined); // covered by a reconcile
      }
    for (const waiter of this.waiters) if (waiter.version <= version) waiter.wake();
  }

  /** The own changes waiting to be applied fail with `errorFor(version)` (the store cannot fill the gap before them). */
  failOwn(errorFor: (version: number) => Error): void {
    for (const [version, waiter] of this.own) {
      this.own.delete(version);
      waiter.reject(errorFor(version));
    }
  }

  /** Resolves once `version` is applied here (`false`: not within `timeoutMs`). */
  async caughtUp(version: number, timeoutMs: number): Promise<boolean> {
    if (this.applied >= version) return true;
    let waiter!: { version: number; wake(): void };
    const arrived = new Promise<boolean>((resolve) =>
      this.waiters.add((waiter = { version, wake: () => resolve(true) })),
    );
    const inTime = await Promise.race([arrived, delay(timeoutMs, false, { ref: false })]);
    this.waiters.delete(waiter);
    return inTime;
  }

  stop(): void {
    clearTimeout(this.gapTimer);
  }
}
