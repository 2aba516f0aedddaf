/**
 * The requests one plugin application is serving, and the calls in flight on its exported providers: a retired
 * application is closed once they have finished.
 */
export class ServedRequests {
  private count = 0;
  private waiters: (() => void)[] = [];

  /** Counts the response until it has closed (Node emits `close` once it is sent, or its connection is gone). */
  track(res: unknown): void {
    (res as { once(event: string, listener: () => void): void }).once('close', this.started());
  }

  /** Counts the work until `settled` resolves. */
  until(settled: Promise<void>): void {
    const finished = this.started();
    void settled.then(finished, finished);
  }

  private started(): () => void {
    this.count++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--this.count > 0) return;
      for (const wake of this.waiters.splice(0)) wake();
    };
  }

  /** Resolves when none is being served, or after `limitMs`. */
  idle(limitMs: number): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = Number.isFinite(limitMs) ? setTimeout(resolve, limitMs) : undefined;
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
