import type { PluginRegistry } from '../registry/index.js';
import type { PluginStateStore, ReplicaInfo } from '../contracts/plugin-state-store.interface.js';

/** How often a replica announces itself; one not heard of for three times that is gone. */
export const ANNOUNCE_EVERY_MS = 20_000;
const GONE_AFTER_MS = 3 * ANNOUNCE_EVERY_MS;

/** A plugin installed here in another version than on other replicas. */
export interface VersionMismatch {
  plugin: string;
  here: string;
  /** Replica → the version it has. */
  elsewhere: Record<string, string>;
}

/**
 * The plugin packages each replica has installed (packages are not replicated: each replica must have the same), so
 * a replica whose version of a plugin differs from the others' says so in its health.
 */
export class ReplicaVersions {
  private readonly others = new Map<string, ReplicaInfo>();
  private timer?: NodeJS.Timeout;
  /** Goes up whenever what `mismatches()` returns may have changed. */
  revision = 0;

  constructor(
    private readonly store: PluginStateStore,
    private readonly registry: PluginRegistry,
    private readonly replica: string,
  ) {}

  /** Announces this replica now and every ANNOUNCE_EVERY_MS, and reads who else is there. */
  start(): void {
    this.timer ??= setInterval(() => void this.refresh().catch(() => undefined), ANNOUNCE_EVERY_MS).unref();
  }

  /** Announces this replica's versions and reads the others'. */
  async refresh(): Promise<void> {
    await this.store.announce(this.replica, this.info());
    const replicas = await this.store.replicas(GONE_AFTER_MS);
    this.others.clear();
    for (const info of replicas) if (info.replica !== this.replica) this.others.set(info.replica, info);
    this.revision++;
  }

  /** Another replica announced itself. */
  received(info: ReplicaInfo): void {
    if (info.replica === this.replica) return;
    this.others.set(info.replica, info);
    this.revision++;
  }

  /** Leaves the list (the replica shuts down). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.store.announce(this.replica, undefined);
  }

  mismatches(): VersionMismatch[] {
    const found: VersionMismatch[] = [];
    const now = Date.now();
    for (const record of this.registry.all()) {
      const elsewhere: Record<string, string> = {};
      for (const info of this.others.values()) {
        const version = info.versions[record.name];
        if (now - info.seen <= GONE_AFTER_MS && version !== undefined && version !== record.metadata.version)
          elsewhere[info.replica] = version;
      }
      if (Object.keys(elsewhere).length > 0)
        found.push({ plugin: record.name, here: record.metadata.version, elsewhere });
    }
    return found;
  }

  private info(): ReplicaInfo {
    const versions: Record<string, string> = {};
    for (const record of this.registry.all()) versions[record.name] = record.metadata.version;
    return { replica: this.replica, versions, seen: Date.now() };
  }
}
