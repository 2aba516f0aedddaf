import type { AuditEntry } from './audit-entry.interface.js';

/**
 * What operators asked for one plugin, as the store keeps it: set by `enable`, `disable`, `reload` and `updateConfig`
 * on any replica. A field that is absent leaves the host's own options in charge.
 */
export interface DesiredPluginState {
  /** `true` after an enable or a reload, `false` after a disable. */
  enabled?: boolean;
  /** The `updateConfig` layer: every patch merged, above every other config source. */
  config?: Record<string, unknown>;
  /** How many reloads were asked for: a replica that has applied fewer reloads the plugin. */
  generation?: number;
}

/** One plugin's desired state with the version of the change that set it last. */
export interface VersionedPluginState extends DesiredPluginState {
  version: number;
}

/** Everything the store holds: the latest change's version, and each changed plugin's desired state. */
export interface StoredPluginState {
  version: number;
  plugins: Record<string, VersionedPluginState>;
}

/** One committed change, as every replica receives it. */
export interface PluginStateChange {
  /** One more than the change before it: replicas apply changes in this order. */
  version: number;
  plugin: string;
  /** The plugin's whole desired state after the change (`version` included). */
  desired: VersionedPluginState;
  /** `enable`, `disable`, `reload`, `updateConfig`. */
  operation: string;
  /** The replica that made it. */
  replica: string;
}

/** A change to commit: `desired` replaces the plugin's entry if nobody changed it since `expected`. */
export interface PluginStateCommit {
  plugin: string;
  desired: DesiredPluginState;
  /** The version of the plugin's entry the change was computed from (0: it had none). */
  expected: number;
  /** The replica's applied version: a store whose version is lower lost its data (`stale`), and is re-seeded first. */
  atLeast: number;
  operation: string;
  replica: string;
}

/** How a commit went: committed (with the change), or refused because the entry or the store moved on. */
export type PluginStateCommitResult =
  | { status: 'committed'; change: PluginStateChange }
  | { status: 'conflict'; version: number }
  | { status: 'stale'; version: number };

/** A replica's announcement: who it is and which version of each plugin it has installed. */
export interface ReplicaInfo {
  replica: string;
  /** Plugin name → installed version. */
  versions: Record<string, string>;
  /** When it last announced itself (ms since the epoch). */
  seen: number;
}

/** What a store tells the replica subscribed to it. */
export interface PluginStateListener {
  /** A committed change (in version order; one may be missed while disconnected: the replica then reconciles). */
  change(change: PluginStateChange): void;
  /** The stored state was replaced (`seed`): the replica reconciles. */
  reseeded(version: number): void;
  /** An audit entry from any replica. */
  audit(entry: AuditEntry): void;
  /** A replica announced itself. */
  replica(info: ReplicaInfo): void;
  /**
   * `true` once the subscription delivers (and again after every reconnect: changes may have been missed meanwhile, so
   * the replica reconciles), `false` when the connection is lost.
   */
  status(up: boolean): void;
}

/** What `subscribe` returns: how to stop listening. */
export interface PluginStateSubscription {
  close(): Promise<void>;
}

/**
 * Where the replicas of one host keep their plugins' desired state (`state: { store }`). `RedisPluginStateStore`
 * (`nestjs-plugin-host/redis`) is one; `InMemoryPluginStateStore` serves several apps in one process (tests). Write
 * another by implementing this: every method either succeeds or rejects (never waits for a reconnect), and `commit`
 * and `seed` are atomic.
 */
export interface PluginStateStore {
  /** ms the host waits for any call before `PLUGIN_STATE_UNAVAILABLE`. Default 2000. */
  readonly timeoutMs?: number;
  /**
   * Starts delivering to `listener`, connecting as needed and reconnecting on its own (with backoff) for as long as
   * the subscription lasts; `listener.status(true)` says when deliveries flow.
   */
  subscribe(listener: PluginStateListener): PluginStateSubscription;
  /** The whole stored state, read atomically. */
  read(): Promise<StoredPluginState>;
  /** Sets one plugin's desired state under the next version, atomically, and delivers the change to every subscriber. */
  commit(commit: PluginStateCommit): Promise<PluginStateCommitResult>;
  /** Replaces the stored state by `state` if the store's version is lower (it lost its data); tells subscribers. */
  seed(state: StoredPluginState): Promise<boolean>;
  /** Appends to the cluster's audit (capped) and delivers the entry to every subscriber. */
  appendAudit(entry: AuditEntry): Promise<void>;
  /** The cluster's last `limit` audit entries, oldest first. */
  readAudit(limit: number): Promise<AuditEntry[]>;
  /** Records (and delivers) a replica's installed plugin versions; `undefined` removes it (it shuts down). */
  announce(replica: string, info: ReplicaInfo | undefined): Promise<void>;
  /** The replicas announced within `maxAgeMs`. */
  replicas(maxAgeMs: number): Promise<ReplicaInfo[]>;
  /** Releases the store's connections; the host calls it as the app closes (the host owns the store it was given). */
  close?(): Promise<void>;
}

/** `state` of the module options: the replicas' shared store. */
export interface PluginStateOptions {
  store: PluginStateStore;
  /** This replica's name in audit entries and health. Default: `<hostname>:<pid>`. */
  replica?: string;
}
