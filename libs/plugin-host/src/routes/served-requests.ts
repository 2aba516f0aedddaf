/** The requests one plugin application is serving: a retired application is closed once they have finished. */
export class ServedRequests {
  private count = 0;
  private waiters: (() => void)[] = [];

  /** Counts the response until it has finished or its connection closed. */
  track(res: unknown): void {
    const response = res as { once(event: string, listener: () => void): void };
    this.count++;
    let done = false;
    const finished = (): void => {
      if (done) return;
      done = true;
      if (--this.count > 0) return;
      for (const wake of this.waiters.splice(0)) wake();
    };
    response.once('finish', finished);
    response.once('close', finished);
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
