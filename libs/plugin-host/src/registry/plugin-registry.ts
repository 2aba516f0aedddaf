import type { Type } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import type { PluginMetadata } from '../manifest/index.js';
import type { PluginEvent, PluginEventName } from './plugin-events.js';
import type { PluginPackage, PluginRecord, PluginTimings } from './plugin-record.js';
import { PluginState } from './plugin-state.js';

type WritableRecord = { -readonly [K in keyof PluginRecord]: PluginRecord[K] } & {
  timings: PluginTimings;
  warnings: string[];
};

/** Calls still running on what a plugin's reference pointed at before a change (a reload or disable waits for them). */
export interface PendingCalls {
  readonly size: number;
  /** Resolves once none is running. */
  idle(): Promise<void>;
}

/** What keeps a view derived from the records (the injected references) in step with them, synchronously. */
export interface RecordObserver {
  /** The record's class changed (a lazy plugin imported, a reload). */
  classChanged(record: PluginRecord): void;
  /** Its state or instance changed. Returns the calls in flight on what its reference pointed at before. */
  targetChanged(record: PluginRecord): PendingCalls | undefined;
}

const NONE_PENDING: PendingCalls = { size: 0, idle: () => Promise.resolve() };

/** What two observers report still in flight, as one. */
function bothPending(first: PendingCalls, second: PendingCalls | undefined): PendingCalls {
  if (!second || second === first || second.size === 0) return first;
  if (first.size === 0) return second;
  return {
    size: first.size + second.size,
    idle: () => Promise.all([first.idle(), second.idle()]).then(() => undefined),
  };
}

/**
 * The state of every plugin, one record each, in dependency order. It is the only place a record changes (its
 * transitions and setters; records are read-only everywhere else), so what is derived from the records (references,
 * per-type lists, health, the manager's reports) can never disagree with them.
 */
export class PluginRegistry {
  private readonly records = new Map<string, WritableRecord>();
  private order: string[] = [];
  private readonly position = new Map<string, number>();
  private readonly observers: RecordObserver[] = [];

  /** Every state change (`plugin.<state>`) and runtime operation (`plugin.reloaded`, `plugin.config-updated`), as a `PluginEvent`. */
  readonly events = new EventEmitter();

  /** Goes up with every state change (what caches of derived views compare). */
  version = 0;

  /** When plugin startup began: the registry is created as loading starts. */
  readonly startedAt = new Date();
  private readonly startedAtMs = performance.now();

  /**
   * @param hostVersion what plugins' `compatibility` is checked against
   * @param root the host's folder (class plugins' npm `requires` resolve from it)
   */
  constructor(
    readonly hostVersion: string,
    readonly root: string = process.cwd(),
  ) {}

  /** ms since plugin startup began (unrounded). */
  elapsedMs(): number {
    return performance.now() - this.startedAtMs;
  }

  /** Adds a view kept in step with every change (the injected references; module plugins' routes and exports). */
  observe(observer: RecordObserver): void {
    if (!this.observers.includes(observer)) this.observers.push(observer);
  }

  /**
   * Registers a new record (last in order until `setOrder`); the registry owns it from now on. It is taken as it is,
   * not copied: a copy made by spreading is slower to read at every call site that reads records (measured: boot of
   * 1000 plugins twice as slow).
   */
  add(record: PluginRecord): PluginRecord {
    const owned = record as WritableRecord;
    this.records.set(record.name, owned);
    this.position.set(record.name, this.order.length);
    this.order.push(record.name);
    return owned;
  }

  /** Sets the dependency order (dependencies first). */
  setOrder(names: string[]): void {
    this.order = names;
    names.forEach((name, i) => this.position.set(name, i));
  }

  /** Where `name` is in dependency order (`Infinity` for no plugin). */
  positionOf(name: string): number {
    return this.position.get(name) ?? Infinity;
  }

  get(name: string): PluginRecord | undefined {
    return this.records.get(name);
  }

  /** The record, or `PLUGIN_NOT_FOUND` naming the plugins that do exist. */
  require(name: string): PluginRecord {
    const record = this.records.get(name);
    if (record) return record;
    throw new PluginError(
      PluginErrorCode.NOT_FOUND,
      `no plugin named "${name}" is registered (known plugins: ${this.names().join(', ') || 'none'}). Check the name, or list the plugin in PluginModule plugins.`,
      { plugin: name },
    );
  }

  /** Every record, dependencies first. */
  all(): PluginRecord[] {
    return this.order.map((name) => this.require(name));
  }

  names(): string[] {
    return [...this.order];
  }

  /**
   * Moves a plugin to `state` (with the error that put it there, if any). Its reference follows: at the instance while
   * it may run (`loaded`, during `initialize`; `enabled`), else at a stub saying why it cannot. Returns the calls still
   * in flight on what the reference pointed at before (none when that did not change).
   */
  transition(record: PluginRecord, state: PluginState, error?: PluginError): PendingCalls {
    const owned = this.own(record);
    this.version++;
    const previous = owned.state;
    owned.state = state;
    owned.error = error;
    let pending = NONE_PENDING;
    for (const observer of this.observers) pending = bothPending(pending, observer.targetChanged(owned));
    if (previous !== state) this.emit(`plugin.${state}`, owned, previous);
    return pending;
  }

  /** A package plugin was imported (or re-imported): its class and merged metadata are known. */
  attachClass(record: PluginRecord, pluginClass: Type<object>, metadata: PluginMetadata): void {
    const owned = this.own(record);
    owned.pluginClass = pluginClass;
    owned.metadata = metadata;
    for (const observer of this.observers) observer.classChanged(owned);
  }

  /** Gives a record its (new) instance; calls go to it once the state allows. Returns the calls still in flight on the previous target. */
  attachInstance(record: PluginRecord, instance: object): PendingCalls {
    this.own(record).instance = instance;
    return this.transition(record, record.state, record.error);
  }

  /** Where it runs, decided once before its code first loads. */
  setIsolation(record: PluginRecord, tier: NonNullable<PluginRecord['isolation']>): void {
    this.own(record).isolation = tier;
  }

  /** Where a reload found its package (the manifest may have moved the entry). */
  setPackage(record: PluginRecord, pkg: PluginPackage): void {
    this.own(record).package = pkg;
  }

  /** The config it runs with and (`updates`) the runtime changes it came from; a key left out stays as it is. */
  setConfig(record: PluginRecord, change: { config?: object; updates?: Record<string, unknown> }): void {
    const owned = this.own(record);
    if ('config' in change) owned.config = change.config;
    if ('updates' in change) owned.configUpdates = change.updates;
  }

  /** How long one phase took; `add`: on top of what it took before (a load in steps). */
  recordTiming(record: PluginRecord, phase: keyof PluginTimings, ms: number, add = false): void {
    const timings = this.own(record).timings;
    timings[phase] = add ? (timings[phase] ?? 0) + ms : ms;
  }

  /** A note from a check, once. */
  addWarning(record: PluginRecord, line: string | undefined): void {
    const warnings = this.own(record).warnings;
    if (line && !warnings.includes(line)) warnings.push(line);
  }

  /** Tells listeners about `record` (a listener that throws is logged by Node, never breaks the operation). */
  emit(name: PluginEventName, record: PluginRecord, previousState: PluginState = record.state): void {
    if (this.events.listenerCount(name) === 0) return;
    const event: PluginEvent = {
      name,
      plugin: record.name,
      state: record.state,
      previousState,
      ...(record.error &&
        name === 'plugin.failed' && { error: { code: record.error.code, message: record.error.message } }),
      at: new Date(),
    };
    for (const listener of this.events.listeners(name)) {
      try {
        (listener as (event: PluginEvent) => void)(event);
      } catch (error) {
        process.emitWarning(`a listener of ${name} threw: ${(error as Error)?.message ?? String(error)}`);
      }
    }
  }

  /** The `PLUGIN_DISABLED` error a call to a plugin that is not enabled gets. */
  unavailableError(record: PluginRecord): PluginError {
    const why =
      record.state === PluginState.FAILED
        ? `it failed (${record.error?.message ?? 'unknown reason'}). Fix the cause and restart the host`
        : record.state === PluginState.DISABLED
          ? 'it is disabled. Enable it (PluginManager.enable), or take it out of the disabled option'
          : record.lazy && record.state === PluginState.DISCOVERED
            ? `it is lazy and not loaded yet. Await pluginManager.load("${record.name}") first (or call one of its async methods)`
            : `it is not initialized yet (state: ${record.state}). Call it once the application has initialized`;
    return new PluginError(PluginErrorCode.DISABLED, `plugin "${record.name}" cannot be called: ${why}.`, {
      plugin: record.name,
      cause: record.error,
    });
  }

  /** The registry's own (writable) record: one it registered, never a copy made elsewhere. */
  private own(record: PluginRecord): WritableRecord {
    const owned = this.records.get(record.name);
    if (owned !== record) throw new Error(`plugin "${record.name}": not a record of this registry`);
    return owned;
  }
}
