/**
 * One queue per plugin name: operations on one plugin run one after the other,
 * operations on different plugins run independently. An operation that touches
 * several plugins (disable with its dependents) takes their locks in name order,
 * so two such operations can never wait for each other in a circle.
 */
export class PluginLocks {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(names: Iterable<string>, operation: () => Promise<T>): Promise<T> {
    const ordered = [...new Set(names)].sort();
    const releases: (() => void)[] = [];
    try {
      for (const name of ordered) releases.push(await this.acquire(name));
      return await operation();
    } finally {
      for (const release of releases) release();
    }
  }

  private async acquire(name: string): Promise<() => void> {
    const previous = this.tails.get(name) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(name, tail);
    await previous;
    return () => {
      release();
      if (this.tails.get(name) === tail) this.tails.delete(name);
    };
  }
}
