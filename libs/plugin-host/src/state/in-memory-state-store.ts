import type { AuditEntry } from '../manager/audit-log.js';
import type {
  PluginStateCommit,
  PluginStateCommitResult,
  PluginStateListener,
  PluginStateStore,
  PluginStateSubscription,
  ReplicaInfo,
  StoredPluginState,
} from '../contracts/plugin-state-store.interface.js';

/**
 * A `PluginStateStore` in memory, for several apps in one process (tests, or trying replication without Redis). It
 * keeps the promises a real store keeps: atomic commits, deliveries in version order and after the call that caused
 * them, and, with `available = false`, every call rejected at once and subscribers told the store is down.
 */
export class InMemoryPluginStateStore implements PluginStateStore {
  readonly timeoutMs = 2000;
  private state: StoredPluginState = { version: 0, plugins: {} };
  private auditLog: AuditEntry[] = [];
  private readonly announced = new Map<string, ReplicaInfo>();
  private readonly listeners = new Set<PluginStateListener>();
  private up = true;

  constructor(private readonly auditCapacity = 1000) {}

  /** Whether calls succeed. Setting it tells every subscriber (`status`); coming back is a reconnect. */
  get available(): boolean {
    return this.up;
  }

  set available(up: boolean) {
    if (up === this.up) return;
    this.up = up;
    this.deliver((listener) => listener.status(up), true);
  }

  /** Forgets everything, as a Redis without persistence does when it restarts. */
  clear(): void {
    this.state = { version: 0, plugins: {} };
    this.auditLog = [];
    this.announced.clear();
  }

  subscribe(listener: PluginStateListener): PluginStateSubscription {
    this.listeners.add(listener);
    if (this.up) setImmediate(() => this.listeners.has(listener) && this.up && listener.status(true));
    return { close: async () => void this.listeners.delete(listener) };
  }

  read(): Promise<StoredPluginState> {
    return this.call(() => structuredClone(this.state));
  }

  commit(commit: PluginStateCommit): Promise<PluginStateCommitResult> {
    return this.call(() => {
      const { version, plugins } = this.state;
      if (version < commit.atLeast) return { status: 'stale', version };
      if ((plugins[commit.plugin]?.version ?? 0) !== commit.expected) return { status: 'conflict', version };
      const desired = { ...structuredClone(commit.desired), version: version + 1 };
      this.state = { version: version + 1, plugins: { ...plugins, [commit.plugin]: desired } };
      const change = {
        version: version + 1,
        plugin: commit.plugin,
        desired,
        operation: commit.operation,
        replica: commit.replica,
      };
      this.deliver((listener) => listener.change(structuredClone(change)));
      return { status: 'committed', change: structuredClone(change) };
    });
  }

  seed(state: StoredPluginState): Promise<boolean> {
    return this.call(() => {
      if (this.state.version >= state.version) return false;
      this.state = structuredClone(state);
      this.deliver((listener) => listener.reseeded(state.version));
      return true;
    });
  }

  appendAudit(entry: AuditEntry): Promise<void> {
    return this.call(() => {
      this.auditLog.push({ ...entry });
      if (this.auditLog.length > this.auditCapacity) this.auditLog.shift();
      this.deliver((listener) => listener.audit({ ...entry }));
    });
  }

  readAudit(limit: number): Promise<AuditEntry[]> {
    return this.call(() => this.auditLog.slice(-limit).map((entry) => ({ ...entry })));
  }

  announce(replica: string, info: ReplicaInfo | undefined): Promise<void> {
    return this.call(() => {
      if (!info) return void this.announced.delete(replica);
      this.announced.set(replica, structuredClone(info));
      this.deliver((listener) => listener.replica(structuredClone(info)));
    });
  }

  replicas(maxAgeMs: number): Promise<ReplicaInfo[]> {
    return this.call(() =>
      [...this.announced.values()].filter((info) => Date.now() - info.seen <= maxAgeMs).map((i) => structuredClone(i)),
    );
  }

  /** Runs `work` as a network round trip would: answered on a later turn, or rejected while unavailable. */
  private call<T>(work: () => T): Promise<T> {
    return new Promise((resolve, reject) =>
      setImmediate(() => {
        if (!this.up) return reject(new Error('the in-memory plugin state store is unavailable'));
        try {
          resolve(work());
        } catch (error) {
          reject(error as Error);
        }
      }),
    );
  }

  /** Deliveries reach listeners after the call that caused them has answered, each on its own turn. */
  private deliver(send: (listener: PluginStateListener) => void, evenDown = false): void {
    const listeners = [...this.listeners];
    setImmediate(() => {
      for (const listener of listeners) if (this.up || evenDown) send(listener);
    });
  }
}
