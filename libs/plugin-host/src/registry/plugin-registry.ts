import { performance } from 'node:perf_hooks';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import type { Type } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import {
  createMissingReference,
  createPluginReference,
  createUnavailablePrototype,
  exposeFields,
  InFlightCalls,
  returnsPromise,
  type PluginReference,
} from '../injection/index.js';
import type { IsolationSupervisor } from '../isolation/isolation-supervisor.js';
import type { PluginMetadata } from '../manifest/index.js';
import type { PluginEvent, PluginEventName } from './plugin-events.js';
import type { PluginRecord } from './plugin-record.js';
import { PluginState } from './plugin-state.js';

/**
 * The state of every plugin, one record each, in dependency order. It is the only
 * place a plugin's state changes (`transition`), so the injected references and
 * the per-type lists can never disagree with the record.
 */
export class PluginRegistry {
  private readonly records = new Map<string, PluginRecord>();
  private order: string[] = [];
  private readonly position = new Map<string, number>();
  // Per type: the injected array and, beside it, the names it holds (same order).
  private readonly typeLists = new Map<string, { references: object[]; names: string[] }>();
  private readonly references = new Map<string, PluginReference>();
  // Per plugin: the object calls go to while it cannot run, built for its current class.
  private readonly unavailableStubs = new Map<string, { pluginClass: Type<object>; stub: object }>();
  private readonly missingReferences = new Map<string, object>();
  // Set by the lifecycle runner: imports and starts a lazy plugin (shared by concurrent callers).
  private lazyLoader: (name: string) => Promise<void> = (name) =>
    Promise.reject(new Error(`no loader for lazy plugin "${name}"`));

  /** Every state change (`plugin.<state>`) and runtime operation (`plugin.reloaded`, `plugin.config-updated`), as a `PluginEvent`. */
  readonly events = new EventEmitter();

  /** Goes up with every state change (what caches of derived views compare). */
  version = 0;

  /** Runs the isolated (worker, process) plugins; set by the module when the registry is built. */
  supervisor?: IsolationSupervisor;

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

  add(record: PluginRecord): void {
    this.records.set(record.name, record);
    this.position.set(record.name, this.order.length);
    this.order.push(record.name);
  }

  /** Sets the dependency order (dependencies first). */
  setOrder(names: string[]): void {
    this.order = names;
    names.forEach((name, i) => this.position.set(name, i));
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
    return this.order.map((name) => this.records.get(name) as PluginRecord);
  }

  names(): string[] {
    return [...this.order];
  }

  /** What `@InjectPlugin(name)` injects: one stable reference per plugin, aimed at whatever may be called now. */
  referenceOf(name: string): object {
    const record = this.records.get(name);
    if (!record) {
      let missing = this.missingReferences.get(name);
      if (!missing) this.missingReferences.set(name, (missing = createMissingReference(name, () => this.names())));
      return missing;
    }
    return this.referenceHandleOf(record).reference;
  }

  /** What `@InjectPlugins(type)` injects: a live array of the enabled plugins of that type. */
  listOf(type: string): object[] {
    let list = this.typeLists.get(type);
    if (!list) {
      this.typeLists.set(type, (list = { references: [], names: [] }));
      for (const record of this.all()) if (record.metadata.type === type) this.updateTypeList(record);
    }
    return list.references;
  }

  /** How a lazy plugin is loaded on the first call through its reference. */
  setLazyLoader(loader: (name: string) => Promise<void>): void {
    this.lazyLoader = loader;
  }

  /** A package plugin was imported (or re-imported): its class and merged metadata are known, and its reference forwards as the class declares. */
  attachClass(record: PluginRecord, pluginClass: Type<object>, metadata: PluginMetadata): void {
    record.pluginClass = pluginClass;
    record.metadata = metadata;
    this.references.get(record.name)?.adopt(pluginClass);
  }

  /**
   * Gives a record its (new) instance; calls go to it once the state allows.
   * Returns the calls still in flight on the previous target.
   */
  attachInstance(record: PluginRecord, instance: object): InFlightCalls {
    record.instance = instance;
    exposeFields(record.pluginClass!, instance);
    return this.transition(record, record.state, record.error);
  }

  /**
   * Moves a plugin to `state` and aims its reference: at the instance while it may
   * run (`loaded`, during `initialize`; `enabled`), else at a stub whose methods
   * throw `PLUGIN_DISABLED`. Returns the calls still in flight on what the
   * reference pointed at before (none when that did not change).
   */
  transition(record: PluginRecord, state: PluginState, error?: PluginError): InFlightCalls {
    this.version++;
    const previous = record.state;
    record.state = state;
    record.error = error;
    const callable = state === PluginState.ENABLED || state === PluginState.LOADED;
    const reference = this.references.get(record.name);
    // Without a class (a lazy plugin not imported yet) calls still go to the loader.
    const inFlight =
      reference && record.pluginClass
        ? reference.pointTo(callable && record.instance ? record.instance : this.unavailableStubOf(record))
        : new InFlightCalls();
    this.updateTypeList(record);
    if (previous !== state) this.emit(`plugin.${state}`, record, previous);
    return inFlight;
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

  private referenceHandleOf(record: PluginRecord): PluginReference {
    let reference = this.references.get(record.name);
    if (!reference) {
      // The stub (whose methods throw PLUGIN_DISABLED) is built only for a plugin that cannot run now.
      reference = record.pluginClass
        ? createPluginReference(
            record.pluginClass,
            this.isCallable(record) ? record.instance! : this.unavailableStubOf(record),
          )
        : createPluginReference(undefined, {}, (method, args) => this.callBeforeLoad(record, method, args));
      this.references.set(record.name, reference);
    }
    return reference;
  }

  private isCallable(record: PluginRecord): boolean {
    return (
      record.instance !== undefined && (record.state === PluginState.ENABLED || record.state === PluginState.LOADED)
    );
  }

  /**
   * The first calls to a lazy plugin: load it (one load for all callers; its
   * failure reaches each of them), then make the call if the method returns a
   * Promise. A synchronous method's caller expects a value, not a Promise, so it
   * gets `PLUGIN_NOT_LOADED` instead of a silently different result.
   */
  private async callBeforeLoad(record: PluginRecord, method: string, args: unknown[]): Promise<unknown> {
    await this.lazyLoader(record.name);
    const pluginClass = record.pluginClass!;
    if (typeof (pluginClass.prototype as Record<string, unknown>)[method] !== 'function') {
      throw new TypeError(`plugin "${record.name}" (class ${pluginClass.name}) has no method "${method}"`);
    }
    if (!returnsPromise(pluginClass, method)) {
      throw new PluginError(
        PluginErrorCode.NOT_LOADED,
        `plugin "${record.name}" is lazy and its synchronous method "${method}" was called before it was loaded, so the call was not made (the plugin is loaded now). Await pluginManager.load("${record.name}") before calling its synchronous methods, or remove "lazy" from its manifest.`,
        { plugin: record.name },
      );
    }
    return (this.references.get(record.name)!.reference as Record<string, (...a: unknown[]) => unknown>)[method](
      ...args,
    );
  }

  private unavailableStubOf(record: PluginRecord): object {
    const pluginClass = record.pluginClass!;
    let entry = this.unavailableStubs.get(record.name);
    if (entry?.pluginClass !== pluginClass) {
      entry = {
        pluginClass,
        stub: Object.create(createUnavailablePrototype(pluginClass, () => this.unavailableError(record))) as object,
      };
      this.unavailableStubs.set(record.name, entry);
    }
    return entry.stub;
  }

  // Changed in place (services hold the array itself), keeping dependency order.
  // Plugins are mostly enabled in that order, so the insertion point is usually the end.
  private updateTypeList(record: PluginRecord): void {
    const list = this.typeLists.get(record.metadata.type);
    if (!list) return;
    const at = list.names.lastIndexOf(record.name);
    if (record.state === PluginState.ENABLED && at === -1) {
      const position = this.position.get(record.name)!;
      let i = list.names.length;
      while (i > 0 && this.position.get(list.names[i - 1])! > position) i--;
      list.names.splice(i, 0, record.name);
      list.references.splice(i, 0, this.referenceOf(record.name));
    } else if (record.state !== PluginState.ENABLED && at !== -1) {
      list.names.splice(at, 1);
      list.references.splice(at, 1);
    }
  }
}
