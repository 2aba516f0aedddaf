import type { Type } from '@nestjs/common';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import {
  PluginState,
  type PendingCalls,
  type PluginRecord,
  type PluginRegistry,
  type RecordObserver,
} from '../registry/index.js';
import { createPluginReference, exposeFields, type PluginReference } from './plugin-reference.js';
import { createMissingReference, createUnavailablePrototype, returnsPromise } from './reference-stubs.js';

/** Loads a lazy plugin on the first call through its reference (shared by concurrent callers); rejects with why it cannot. */
export type LazyLoad = (name: string) => Promise<void>;

/**
 * What `@InjectPlugin(name)` and `@InjectPlugins(type)` inject, kept in step with the registry: one stable reference
 * per plugin, aimed at whatever may be called now (the instance, or a stub saying why not), and one live array per
 * type. Built on the loaded registry; a lazy plugin's first call goes to `load`.
 */
export class PluginReferences implements RecordObserver {
  private readonly references = new Map<string, PluginReference>();
  // Per plugin: the object calls go to while it cannot run, built for its current class.
  private readonly unavailableStubs = new Map<string, { pluginClass: Type<object>; stub: object }>();
  private readonly missingReferences = new Map<string, object>();
  // Per type: the injected array and, beside it, the names it holds (same order).
  private readonly typeLists = new Map<string, { references: object[]; names: string[] }>();
  // Per plugin: the instance whose own fields its reference already reads through (a Map, not a WeakSet: weak
  // collections cost every garbage collection, and the records hold the instances anyway).
  private readonly exposed = new Map<string, object>();

  constructor(
    private readonly registry: PluginRegistry,
    private readonly load: LazyLoad,
  ) {
    registry.observe(this);
  }

  /** What `@InjectPlugin(name)` injects: the same object for the life of the app. */
  referenceOf(name: string): object {
    const record = this.registry.get(name);
    if (!record) {
      let missing = this.missingReferences.get(name);
      if (!missing)
        this.missingReferences.set(name, (missing = createMissingReference(name, () => this.registry.names())));
      return missing;
    }
    return this.handleOf(record).reference;
  }

  /** What `@InjectPlugins(type)` injects: a live array of the enabled plugins of that type, in dependency order. */
  listOf(type: string): object[] {
    let list = this.typeLists.get(type);
    if (!list) {
      this.typeLists.set(type, (list = { references: [], names: [] }));
      for (const record of this.registry.all()) if (record.metadata.type === type) this.updateTypeList(record);
    }
    return list.references;
  }

  classChanged(record: PluginRecord): void {
    if (record.pluginClass) this.references.get(record.name)?.adopt(record.pluginClass);
  }

  targetChanged(record: PluginRecord): PendingCalls | undefined {
    const reference = this.references.get(record.name);
    // Without a class (a lazy plugin not imported yet) calls still go to the loader.
    const pending = reference && record.pluginClass ? reference.pointTo(this.targetOf(record)) : undefined;
    this.updateTypeList(record);
    return pending;
  }

  private handleOf(record: PluginRecord): PluginReference {
    let reference = this.references.get(record.name);
    if (!reference) {
      reference = record.pluginClass
        ? createPluginReference(record.pluginClass, this.targetOf(record))
        : createPluginReference(undefined, {}, (method, args) => this.callBeforeLoad(record, method, args));
      this.references.set(record.name, reference);
    }
    return reference;
  }

  /** The instance while the plugin may run; else the stub whose methods throw `PLUGIN_DISABLED` (built only then). */
  private targetOf(record: PluginRecord): object {
    const { instance, pluginClass, state } = record;
    if (!instance || !pluginClass || (state !== PluginState.ENABLED && state !== PluginState.LOADED))
      return this.unavailableStubOf(record);
    if (this.exposed.get(record.name) !== instance) {
      exposeFields(pluginClass, instance);
      this.exposed.set(record.name, instance);
    }
    return instance;
  }

  /**
   * The first calls to a lazy plugin: load it (one load for all callers; its failure reaches each of them), then make
   * the call if the method returns a Promise. A synchronous method's caller expects a value, not a Promise, so it gets
   * `PLUGIN_NOT_LOADED` instead of a silently different result.
   */
  private async callBeforeLoad(record: PluginRecord, method: string, args: unknown[]): Promise<unknown> {
    await this.load(record.name);
    const { pluginClass } = record;
    const reference = this.references.get(record.name)?.reference as
      Record<string, (...a: unknown[]) => unknown> | undefined;
    if (!pluginClass || !reference) throw this.registry.unavailableError(record);
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
    return reference[method](...args);
  }

  private unavailableStubOf(record: PluginRecord): object {
    const { pluginClass } = record;
    if (!pluginClass) return {};
    let entry = this.unavailableStubs.get(record.name);
    if (entry?.pluginClass !== pluginClass) {
      const proto = createUnavailablePrototype(pluginClass, () => this.registry.unavailableError(record));
      entry = { pluginClass, stub: Object.create(proto) as object };
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
      const position = this.registry.positionOf(record.name);
      let i = list.names.length;
      while (i > 0 && this.registry.positionOf(list.names[i - 1]) > position) i--;
      list.names.splice(i, 0, record.name);
      list.references.splice(i, 0, this.referenceOf(record.name));
    } else if (record.state !== PluginState.ENABLED && at !== -1) {
      list.names.splice(at, 1);
      list.references.splice(at, 1);
    }
  }
}
