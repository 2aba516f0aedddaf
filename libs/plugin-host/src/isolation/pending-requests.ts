import { performance } from 'node:perf_hooks';

/** How long an isolate may take to answer after the host gave up on a phase before it is killed as hung. */
export const ABORT_GRACE_MS = 1000;

/** A call sent to an isolate and not answered yet. */
export interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  /** When the host stops waiting (performance.now() ms), and what it then reports. */
  deadline?: number;
  overdue?: string;
  what: string;
}

/**
 * The calls in flight to one isolate, by id, and their deadlines. Deadlines are checked by one sweeping timer per
 * isolate rather than a timer per call: a call costs a message and a map entry, not a setTimeout and a clearTimeout.
 */
export class PendingRequests {
  private readonly pending = new Map<number, Pending>();
  private sweeper?: NodeJS.Timeout;
  private sweepStep = Infinity;

  /**
   * @param busy told when the first call starts waiting (`true`) and the last one settles (`false`): an idle isolate
   * does not keep the host process alive; one with a call waiting does
   * @param overdue told when a call is past its deadline
   */
  constructor(
    private readonly busy: (waiting: boolean) => void,
    private readonly overdue: (reason: string) => void,
  ) {}

  get(id: number): Pending | undefined {
    return this.pending.get(id);
  }

  add(id: number, pending: Pending): void {
    this.pending.set(id, pending);
    if (this.pending.size === 1) this.busy(true);
  }

  /** Takes the call out (answered, or given up on). */
  settle(id: number): Pending | undefined {
    const pending = this.pending.get(id);
    this.pending.delete(id);
    if (pending && this.pending.size === 0) this.busy(false);
    return pending;
  }

  rejectAll(error: Error): void {
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(error);
  }

  /** The call must be answered within `withinMs`, else `overdue` hears `reason`. */
  expect(pending: Pending, withinMs: number, reason: string): void {
    pending.deadline = performance.now() + withinMs;
    pending.overdue = reason;
    const step = Math.max(10, Math.min(withinMs / 4, 250));
    if (this.sweeper && this.sweepStep <= step) return;
    clearInterval(this.sweeper);
    this.sweepStep = step;
    this.sweeper = setInterval(() => this.sweep(), step);
    this.sweeper.unref();
  }

  stopSweeping(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.sweepStep = Infinity;
  }

  private sweep(): void {
    const now = performance.now();
    for (const pending of this.pending.values()) {
      if (pending.deadline !== undefined && now >= pending.deadline)
        return this.overdue(pending.overdue ?? pending.what);
    }
    if (this.pending.size === 0) this.stopSweeping();
  }
}
