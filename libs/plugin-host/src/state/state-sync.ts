import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import { PluginLocks, type OperationEffects, type RuntimeOperations } from '../lifecycle/index.js';
import type { PluginRegistry } from '../registry/index.js';
import { ChangeOrder } from './change-order.js';
import { ClusterAudit } from './cluster-audit.js';
import { applyDesired, changeProblem, newerEntries, nextDesired, type StateOperation } from './desired-state.js';
import type {
  DesiredPluginState,
  PluginStateChange,
  PluginStateListener,
  PluginStateSubscription,
  VersionedPluginState,
} from '../contracts/plugin-state-store.interface.js';
import { ReplicaVersions } from './replica-versions.js';
import type { StateBoot } from './state-boot.js';
import { readOrReseed, timed } from './stored-state.js';

/** Commits that found the plugin changed meanwhile are retried this often, then the operation gives up. */
const MAX_ATTEMPTS = 10;
/** Replicas that collided wait up to this many ms times the attempt, at random, so that one of them goes first. */
const RETRY_JITTER_MS = 5;
/** A reconcile that failed while the store is up (one connection back before the other) is tried again after this. */
const RETRY_MS = 1000;

/**
 * One replica's side of the shared plugin state. An operation is committed to the store first (atomically, as the
 * plugin's next desired state), then applied here like every replica applies every change: in version order, one at
 * a time (ChangeOrder). A replica that missed changes (a gap, a reconnect, its boot) reads the stored state and
 * applies what is newer; one whose store lost its data seeds it with its own state (the highest version wins).
 */
export class StateSync implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('PluginHost');
  /** Each plugin's desired state as applied here. */
  private readonly entries = new Map<string, VersionedPluginState>();
  private readonly order: ChangeOrder;
  private readonly locks = new PluginLocks();
  private up = false;
  private statusRevision = 0;
  private subscription?: PluginStateSubscription;
  private firstUp?: () => void;
  private retry?: NodeJS.Timeout;
  private stopped = false;
  readonly audit: ClusterAudit;
  readonly replicas: ReplicaVersions;

  constructor(
    private readonly boot: StateBoot,
    private readonly registry: PluginRegistry,
    private readonly operations: RuntimeOperations,
    private readonly started: () => Promise<void>,
  ) {
    this.audit = new ClusterAudit(boot.store, boot.replica);
    this.replicas = new ReplicaVersions(boot.store, registry, boot.replica);
    this.order = new ChangeOrder(
      boot.stored?.version ?? 0,
      (name, desired) => this.apply(name, desired),
      () => this.reconcile(),
    );
    // What the store held at boot is in effect before any plugin starts: the ones stored disabled never start (the
    // options were resolved with them), and config layers are set before plugins initialize.
    for (const [name, desired] of Object.entries(boot.stored?.plugins ?? {})) {
      this.entries.set(name, desired);
      const record = registry.get(name);
      if (record && desired.config) registry.setConfig(record, { updates: desired.config });
    }
  }

  /** The version of the last change applied here (every change up to it is applied). */
  get version(): number {
    return this.order.applied;
  }

  /** Goes up whenever `health()` may have changed. */
  get revision(): number {
    return this.statusRevision + this.order.revision + this.replicas.revision;
  }

  /** The replica's state entry in `/health`. */
  health(): Record<string, unknown> {
    const mismatches = this.replicas.mismatches();
    const state = { store: this.up ? 'up' : 'down', version: this.version, replica: this.boot.replica };
    return mismatches.length > 0 ? { ...state, versionMismatch: mismatches } : state;
  }

  /** Follows the store once every plugin has started; waits (at most the store's timeout) for it to catch up. */
  async onModuleInit(): Promise<void> {
    await this.started().catch(() => undefined); // a required plugin failed: the runner's own hook throws it
    const delivering = new Promise<boolean>((resolve) => (this.firstUp = () => resolve(true)));
    this.subscription = this.boot.store.subscribe(this.listener);
    this.replicas.start();
    if (!this.boot.stored) return; // it could not be read at boot: that wait was had (and warned about) already
    if (!(await Promise.race([delivering, delay(this.boot.timeoutMs, false, { ref: false })])))
      this.logger.warn(
        `the plugin state store is not reachable; replica "${this.boot.replica}" serves its own state and applies the stored one once it is.`,
      );
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.order.stop();
    await this.subscription?.close().catch(() => undefined);
    await this.replicas.stop().catch(() => undefined);
    await this.boot.store.close?.().catch(() => undefined);
  }

  /**
   * Commits `operation` to the store, then applies it here; resolves with what it did here. One plugin's operations
   * from this replica go one at a time (they would only conflict with each other); one that finds the plugin changed
   * by another replica meanwhile catches up and tries again, a little later each time.
   */
  operate(
    operation: StateOperation,
    name: string,
    patch?: Record<string, unknown>,
  ): Promise<OperationEffects | undefined> {
    const record = this.registry.require(name);
    return this.locks.run([record.name], async () => {
      for (let attempt = 1; ; attempt++) {
        const current = this.entries.get(name);
        const desired = nextDesired(operation, current, record, patch);
        if (operation === 'updateConfig') await this.operations.checkConfig(name, desired.config ?? {});
        const result = await this.commit(name, desired, current?.version ?? 0, operation);
        if (result.status === 'committed') return this.applyOwn(result.change, current);
        if (attempt === MAX_ATTEMPTS)
          throw new PluginError(
            PluginErrorCode.STATE_UNAVAILABLE,
            `plugin "${name}" was changed on other replicas during each of ${MAX_ATTEMPTS} attempts to ${operation} it; nothing was changed. Retry.`,
            { plugin: name },
          );
        // The store lost its data (re-seeded by the reconcile), or the plugin changed meanwhile: catch up, try again.
        if (result.status === 'stale' || !(await this.order.caughtUp(result.version, this.boot.timeoutMs)))
          await this.order.run(() => this.reconcile());
        await delay(Math.random() * RETRY_JITTER_MS * attempt, undefined, { ref: false });
      }
    });
  }

  private commit(plugin: string, desired: DesiredPluginState, expected: number, operation: string) {
    const { store, replica } = this.boot;
    const request = { plugin, desired, expected, atLeast: this.order.applied, operation, replica };
    return timed(this.boot, () => store.commit(request), `committing ${operation}`, plugin);
  }

  /** Applies this replica's own change in its turn; a config change that failed here is taken back in the store. */
  private async applyOwn(
    change: PluginStateChange,
    before?: VersionedPluginState,
  ): Promise<OperationEffects | undefined> {
    try {
      const effects = await this.order.applyOwn(change);
      await this.recordCascade(effects);
      return effects;
    } catch (error) {
      const stateError = error instanceof PluginError && error.code === PluginErrorCode.STATE_UNAVAILABLE;
      if (change.operation === 'updateConfig' && !stateError) {
        const { version: _version, config: _config, ...rest } = change.desired;
        const restored = { ...rest, ...(before?.config !== undefined && { config: before.config }) };
        await this.commit(change.plugin, restored, change.version, 'updateConfig').catch(() => undefined);
      }
      throw error;
    }
  }

  /** The plugins an operation enabled or disabled on the way are stored so too (unless changed meanwhile). */
  private async recordCascade(effects: OperationEffects | undefined): Promise<void> {
    const cascade = [
      ...(effects?.alsoEnabled ?? []).map((name) => [name, true] as const),
      ...(effects?.alsoDisabled ?? []).map((name) => [name, false] as const),
    ];
    for (const [name, enabled] of cascade) {
      const current = this.entries.get(name);
      if (current?.enabled === enabled) continue;
      const { version: _version, ...desired } = current ?? { version: 0 };
      const operation = enabled ? 'enable' : 'disable';
      const result = await this.commit(name, { ...desired, enabled }, current?.version ?? 0, operation).catch(
        (error: unknown) => void this.logger.warn(`${name}: ${(error as Error).message}`),
      );
      if (result?.status === 'committed') {
        this.order.receive(result.change);
        await this.order.caughtUp(result.change.version, this.boot.timeoutMs);
      }
    }
  }

  private readonly listener: PluginStateListener = {
    change: (change) => {
      const problem = changeProblem(change);
      if (problem) this.logger.warn(`a change of plugin "${change.plugin}" from the state store ${problem}; ignored.`);
      else this.order.receive(change);
    },
    reseeded: () => void this.order.run(() => this.reconcile()),
    audit: (entry) => this.audit.received(entry),
    replica: (info) => this.replicas.received(info),
    status: (up) => {
      this.up = up;
      this.statusRevision++;
      if (up) this.resync();
    },
  };

  /** Reconciles after (re)connecting; tries again every RETRY_MS while the store stays up but a read fails. */
  private resync(): void {
    clearTimeout(this.retry);
    void this.order.run(async () => {
      try {
        await this.reconcile();
      } catch (error) {
        if (this.up && !this.stopped) this.retry = setTimeout(() => this.resync(), RETRY_MS).unref();
        throw error;
      } finally {
        this.firstUp?.();
      }
    });
  }

  /** Brings one plugin to its desired state here. */
  private async apply(name: string, desired: VersionedPluginState): Promise<OperationEffects | undefined> {
    const previous = this.entries.get(name);
    this.entries.set(name, desired);
    const record = this.registry.get(name);
    return record ? applyDesired(this.operations, record, desired, previous) : undefined; // not installed here
  }

  /** Reads the stored state and applies what is newer than what was applied here (re-seeding a store that lost it). */
  private async reconcile(): Promise<void> {
    let stored;
    try {
      stored = await readOrReseed(this.boot, this.order.applied, this.entries);
    } catch (error) {
      this.order.failOwn(
        (version) =>
          new PluginError(
            PluginErrorCode.STATE_UNAVAILABLE,
            `the change was stored (version ${version}) but is not applied on replica "${this.boot.replica}" yet: a change before it is missing, and ${(error as Error).message}`,
            { cause: error },
          ),
      );
      throw error;
    }
    for (const [name, desired] of newerEntries(stored, this.entries)) await this.order.apply(name, desired);
    this.order.advance(stored.version);
    await this.order.drain();
    await Promise.all([this.audit.resync(), this.replicas.refresh()]).catch(() => undefined);
  }
}
