import { performance } from 'node:perf_hooks';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import type { Type } from '@nestjs/common';
import {
  createForwardingReference,
  createLazyReference,
  createMissingReference,
  createUnavailablePrototype,
  returnsPromise,
  swapPrototype,
  type ForwardingReference,
} from '../injection/index.js';
import type { PluginMetadata } from '../manifest/index.js';
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
  private readonly forwarders = new Map<string, ForwardingReference>();
  private readonly unavailablePrototypes = new Map<string, object>();
  private readonly unavailableStubs = new Map<string, object>();
  private readonly missingReferences = new Map<string, object>();
  // Set by the lifecycle runner: imports and starts a lazy plugin (shared by concurrent callers).
  private lazyLoader: (name: string) => Promise<void> = (name) => Promise.reject(new Error(`no loader for lazy plugin "${name}"`));

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

  /** What `@InjectPlugin(name)` injects: the instance when it exists now, else a forwarder kept pointed at it. */
  referenceOf(name: string): object {
    const record = this.records.get(name);
    if (!record) {
      let missing = this.missingReferences.get(name);
      if (!missing) this.missingReferences.set(name, (missing = createMissingReference(name, () => this.names())));
      return missing;
    }
    if (record.instance && !record.resolveInstance) return record.instance;
    return this.forwarderOf(record).reference;
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

  /** A package plugin was imported: its class and merged metadata are known, and its reference forwards to it. */
  attachClass(record: PluginRecord, pluginClass: Type<object>, metadata: PluginMetadata): void {
    record.pluginClass = pluginClass;
    record.metadata = metadata;
    this.forwarders.get(record.name)?.adopt(pluginClass);
    this.transition(record, record.state, record.error);
  }

  /** Gives a record its instance (for plugins Nest instantiated) and aims its references at it. */
  attachInstance(record: PluginRecord, instance: object): void {
    record.instance = instance;
    this.transition(record, record.state, record.error);
  }

  /**
   * Moves a plugin to `state`. Its instance keeps the class prototype while it may
   * run (`loaded`: initialize may call its own methods; `enabled`) and otherwise
   * gets the prototype whose methods throw `PLUGIN_DISABLED`.
   */
  transition(record: PluginRecord, state: PluginState, error?: PluginError): void {
    record.state = state;
    record.error = error;
    const callable = state === PluginState.ENABLED || state === PluginState.LOADED;
    if (record.instance) {
      swapPrototype(record.instance, callable ? (record.pluginClass!.prototype as object) : this.unavailablePrototypeOf(record));
    }
    const forwarder = this.forwarders.get(record.name);
    // Without a class (a lazy plugin not imported yet) calls still go to the loader.
    if (forwarder && record.pluginClass) forwarder.pointTo(callable && record.instance ? record.instance : this.unavailableStubOf(record));
    this.updateTypeList(record);
  }

  /** The `PLUGIN_DISABLED` error a call to a plugin that is not enabled gets. */
  unavailableError(record: PluginRecord): PluginError {
    const why =
      record.state === PluginState.FAILED
        ? `it failed (${record.error?.message ?? 'unknown reason'}). Fix the cause and restart the host`
        : record.state === PluginState.DISABLED
          ? 'it is disabled. Enable it, or remove it from the disabled option'
          : record.lazy && record.state === PluginState.DISCOVERED
            ? `it is lazy and not loaded yet. Await pluginManager.load("${record.name}") first (or call one of its async methods)`
            : `it is not initialized yet (state: ${record.state}). Call it once the application has initialized`;
    return new PluginError(PluginErrorCode.DISABLED, `plugin "${record.name}" cannot be called: ${why}.`, {
      plugin: record.name,
      cause: record.error,
    });
  }

  private forwarderOf(record: PluginRecord): ForwardingReference {
    let forwarder = this.forwarders.get(record.name);
    if (!forwarder) {
      forwarder = record.pluginClass
        ? createForwardingReference(record.pluginClass, this.unavailableStubOf(record))
        : createLazyReference((method, args) => this.callBeforeLoad(record, method, args));
      this.forwarders.set(record.name, forwarder);
      this.transition(record, record.state, record.error);
    }
    return forwarder;
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
    return (this.forwarders.get(record.name)!.reference as Record<string, (...a: unknown[]) => unknown>)[method](...args);
  }

  private unavailablePrototypeOf(record: PluginRecord): object {
    let proto = this.unavailablePrototypes.get(record.name);
    if (!proto) {
      proto = createUnavailablePrototype(record.pluginClass!, () => this.unavailableError(record));
      this.unavailablePrototypes.set(record.name, proto);
    }
    return proto;
  }

  private unavailableStubOf(record: PluginRecord): object {
    let stub = this.unavailableStubs.get(record.name);
    if (!stub) this.unavailableStubs.set(record.name, (stub = Object.create(this.unavailablePrototypeOf(record)) as object));
    return stub;
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
