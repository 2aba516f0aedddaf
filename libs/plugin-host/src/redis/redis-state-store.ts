import { Redis, type RedisOptions } from 'ioredis';
import { PluginError } from '../errors/plugin-error.js';
import { PluginErrorCode } from '../errors/plugin-error-code.js';
import type { AuditEntry } from '../contracts/audit-entry.interface.js';
import type {
  PluginStateCommit,
  PluginStateCommitResult,
  PluginStateListener,
  PluginStateStore,
  PluginStateSubscription,
  ReplicaInfo,
  StoredPluginState,
} from '../contracts/plugin-state-store.interface.js';
import { auditEntryFrom, desiredFrom, pairs, parsed, replicaInfoFrom, withoutCredentials } from './redis-messages.js';
import { subscribeTo } from './redis-subscription.js';
import {
  ANNOUNCE,
  APPEND_AUDIT,
  clusterKeys,
  COMMIT,
  READ,
  REPLICAS,
  SEED,
  type ClusterKeys,
} from './redis-scripts.js';

/** `new RedisPluginStateStore(options)`: where Redis is, and how the store names its keys and bounds its calls. */
export interface RedisPluginStateStoreOptions {
  /** Where Redis is (`redis://[user:password@]host:port[/db]`, `rediss://` for TLS). Default `redis://127.0.0.1:6379`. */
  url?: string;
  /** Put before every key. Default `plugins:`. */
  keyPrefix?: string;
  /** The replicas that share one state: hosts with another cluster name on the same Redis do not see it. Default `default`. */
  cluster?: string;
  /** ms a call may take before it fails with `PLUGIN_STATE_UNAVAILABLE` (calls are never queued while Redis is away). Default 2000. */
  commandTimeoutMs?: number;
  /** How many audit entries the cluster keeps (about: Redis trims its stream in whole nodes). Default 1000. */
  auditCapacity?: number;
  /** More ioredis options (`password`, `tls`, `username`, …); those the store depends on above are its own. */
  redis?: RedisOptions;
}

const SCRIPTS = { pluginStateRead: READ, pluginStateCommit: COMMIT, pluginStateSeed: SEED } as const;
const MORE_SCRIPTS = { pluginStateAudit: APPEND_AUDIT, pluginStateAnnounce: ANNOUNCE, pluginStateReplicas: REPLICAS };
type ScriptName = keyof typeof SCRIPTS | keyof typeof MORE_SCRIPTS;
type Scripted = Record<ScriptName, (...args: (string | number)[]) => Promise<unknown>>;

/** Reconnects after 50, 100, 200 … ms, then every 2 s, for as long as the store is used. */
const backoff = (attempt: number): number => Math.min(50 * 2 ** (attempt - 1), 2000);

/**
 * The replicas' plugin state in Redis (`state: { store: new RedisPluginStateStore({ url }) }`): desired states in a
 * hash, each change committed by a Lua script (check, write and publish in one step) and published on the cluster's
 * channel, the audit in a capped stream. Calls fail within `commandTimeoutMs` while Redis is away or does not answer (never
 * queued until it is back); connections come back on their own with backoff.
 *
 * @example
 * PluginModule.forRootAsync({
 *   useFactory: () => ({ state: { store: new RedisPluginStateStore({ url: process.env.REDIS_URL, cluster: 'demo' }) } }),
 * });
 */
export class RedisPluginStateStore implements PluginStateStore {
  readonly timeoutMs: number;
  private readonly keys: ClusterKeys;
  private readonly auditCapacity: number;
  private readonly client: Redis;
  private readonly where: string;
  private lastError?: Error;
  private readonly subscriptions = new Set<PluginStateSubscription>();

  /** @throws PluginError `PLUGIN_OPTIONS_INVALID` for an option of the wrong kind */
  constructor(options: RedisPluginStateStoreOptions = {}) {
    const {
      url = 'redis://127.0.0.1:6379',
      keyPrefix = 'plugins:',
      cluster = 'default',
      commandTimeoutMs = 2000,
      auditCapacity = 1000,
    } = options;
    const invalid = (field: string, expected: string) =>
      new PluginError(
        PluginErrorCode.OPTIONS_INVALID,
        `RedisPluginStateStore: "${field}" must be ${expected}, got ${JSON.stringify(options[field as keyof typeof options])}.`,
      );
    if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) throw invalid('url', 'a redis:// or rediss:// URL');
    if (typeof keyPrefix !== 'string') throw invalid('keyPrefix', 'a string');
    if (typeof cluster !== 'string' || cluster === '' || /[{}]/.test(cluster))
      throw invalid('cluster', 'a non-empty string without braces');
    if (!Number.isInteger(commandTimeoutMs) || commandTimeoutMs < 1)
      throw invalid('commandTimeoutMs', 'a positive integer');
    if (!Number.isInteger(auditCapacity) || auditCapacity < 1) throw invalid('auditCapacity', 'a positive integer');
    this.timeoutMs = commandTimeoutMs;
    this.auditCapacity = auditCapacity;
    this.keys = clusterKeys(keyPrefix, cluster);
    this.where = `Redis at ${withoutCredentials(url)}`;
    this.client = new Redis(url, {
      ...options.redis,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: commandTimeoutMs,
      connectTimeout: commandTimeoutMs,
      retryStrategy: backoff,
      keyPrefix: undefined,
      // A connection that had already dropped never closes again: ioredis would keep the process up 2 s for it.
      disconnectTimeout: 200,
    });
    // Failures reach callers through their calls and subscribers through `status`; the event only records why.
    this.client.on('error', (error: Error) => (this.lastError = error));
    for (const [name, script] of Object.entries({ ...SCRIPTS, ...MORE_SCRIPTS }))
      this.client.defineCommand(name, script);
  }

  subscribe(listener: PluginStateListener): PluginStateSubscription {
    const subscription = subscribeTo(this.client, this.keys.channel, listener, () =>
      this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async read(): Promise<StoredPluginState> {
    const [version, state, versions] = (await this.call('pluginStateRead', ...this.stateKeys())) as [
      string,
      string[],
      string[],
    ];
    const versionOf = new Map(pairs(versions));
    return {
      version: Number(version),
      plugins: Object.fromEntries(
        pairs(state).map(([name, json]) => [name, desiredFrom(parsed(json), Number(versionOf.get(name)))]),
      ),
    };
  }

  async commit({
    plugin,
    desired,
    expected,
    atLeast,
    operation,
    replica,
  }: PluginStateCommit): Promise<PluginStateCommitResult> {
    const json = JSON.stringify(desired);
    const change = JSON.stringify({ plugin, desired, operation, replica });
    const [status, version] = (await this.call(
      'pluginStateCommit',
      ...this.stateKeys(),
      plugin,
      json,
      expected,
      atLeast,
      change,
      this.keys.channel,
    )) as ['committed' | 'conflict' | 'stale', number];
    if (status !== 'committed') return { status, version };
    return { status, change: { version, plugin, desired: { ...JSON.parse(json), version }, operation, replica } };
  }

  async seed(state: StoredPluginState): Promise<boolean> {
    const entries = Object.entries(state.plugins).flatMap(([name, { version, ...desired }]) => [
      name,
      JSON.stringify(desired),
      version,
    ]);
    return (
      (await this.call('pluginStateSeed', ...this.stateKeys(), state.version, this.keys.channel, ...entries)) === 1
    );
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.call('pluginStateAudit', this.keys.audit, JSON.stringify(entry), this.auditCapacity, this.keys.channel);
  }

  async readAudit(limit: number): Promise<AuditEntry[]> {
    await this.ready();
    const entries = (await this.client.xrevrange(this.keys.audit, '+', '-', 'COUNT', limit)) as [string, string[]][];
    return entries
      .reverse()
      .map(([, fields]) => auditEntryFrom(parsed(new Map(pairs(fields)).get('entry'))))
      .filter((entry): entry is AuditEntry => entry !== undefined);
  }

  async announce(replica: string, info: ReplicaInfo | undefined): Promise<void> {
    const { replicas, seen, channel } = this.keys;
    const json = info ? JSON.stringify(info) : '';
    await this.call('pluginStateAnnounce', replicas, seen, replica, json, info?.seen ?? 0, channel);
  }

  async replicas(maxAgeMs: number): Promise<ReplicaInfo[]> {
    const { replicas, seen } = this.keys;
    const infos = (await this.call('pluginStateReplicas', replicas, seen, Date.now() - maxAgeMs)) as string[];
    return infos.map((json) => replicaInfoFrom(parsed(json))).filter((info): info is ReplicaInfo => info !== undefined);
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    if (this.client.status === 'ready') await this.client.quit().catch(() => undefined);
    this.client.disconnect();
  }

  private stateKeys(): string[] {
    return [this.keys.version, this.keys.state, this.keys.versions];
  }

  private async call(script: ScriptName, ...args: (string | number)[]): Promise<unknown> {
    await this.ready();
    try {
      return await (this.client as unknown as Scripted)[script](...args);
    } catch (error) {
      throw new Error(`${this.where}: ${(error as Error).message}`, { cause: error });
    }
  }

  /**
   * Resolves once the command connection is ready, waiting for it at most half the timeout (Redis may be starting
   * beside the app, or back a moment before the next reconnect attempt), never until it is back.
   */
  private ready(): Promise<void> {
    const { client } = this;
    if (client.status === 'ready') return Promise.resolve();
    const down = () =>
      new Error(
        `${this.where} is not connected (${client.status}${this.lastError ? `: ${this.lastError.message}` : ''})`,
      );
    if (client.status === 'end') return Promise.reject(down());
    return new Promise((resolve, reject) => {
      const onReady = () => done();
      const done = (error?: Error) => {
        clearTimeout(timer);
        client.off('ready', onReady);
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(() => done(down()), Math.ceil(this.timeoutMs / 2));
      client.once('ready', onReady);
      if (client.status === 'wait') client.connect().catch(() => undefined);
    });
  }
}
