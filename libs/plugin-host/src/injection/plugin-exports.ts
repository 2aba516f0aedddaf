import type { Type } from '@nestjs/common';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import type { PluginRecord, PluginRegistry } from '../registry/index.js';
import { createPluginReference, exposeFields, type PluginReference } from './plugin-reference.js';
import { createUnavailablePrototype } from './reference-stubs.js';

interface ExportHandle {
  handle: PluginReference;
  /** The class its methods forward as (the newest exported under its name). */
  exported: Type<object>;
  /** The plugin exporting it (once one has). */
  owner?: string;
  /** What its calls go to while it is not served, built for `exported`. */
  stub?: { exported: Type<object>; target: object };
}

/**
 * What a module plugin's `exports` are injected as, by class, in the host and in the plugins that depend on it: one
 * stable reference per exported class (the same forwarding object as a plugin reference, no Proxy), aimed at the
 * provider of the plugin's current application while it is served, and at a stub throwing `PLUGIN_DISABLED`
 * otherwise. A reload's new code exports new classes; each takes over the reference of the old class of its name.
 */
export class PluginExports {
  private readonly exports = new Map<Type<object>, ExportHandle>();

  constructor(private readonly registry: PluginRegistry) {}

  /** What injecting `exported` gives: the same object for the life of the app. */
  referenceOf(exported: Type<object>): object {
    return this.entryOf(exported).handle.reference;
  }

  /**
   * The plugin's application is up: its exports' references call its providers (`get` resolves one by class).
   * Resolves once the calls still in flight on the previous application's providers have settled.
   */
  serve(record: PluginRecord, get: (exported: Type<object>) => object): Promise<void> {
    const previous: Promise<void>[] = [];
    for (const exported of exportsOf(record)) {
      const entry = this.claim(record, exported);
      if (!entry) continue;
      entry.exported = exported;
      entry.handle.adopt(exported);
      const provider = get(exported);
      exposeFields(exported, provider);
      previous.push(entry.handle.pointTo(provider).idle());
    }
    return Promise.all(previous).then(() => undefined);
  }

  /**
   * The plugin's application is retiring: its exports' references answer why the plugin cannot be called. Resolves
   * once the calls in flight on its providers have settled.
   */
  withdraw(record: PluginRecord): Promise<void> {
    const previous: Promise<void>[] = [];
    for (const entry of new Set(this.exports.values()))
      if (entry.owner === record.name) previous.push(entry.handle.pointTo(this.stubOf(entry)).idle());
    return Promise.all(previous).then(() => undefined);
  }

  /** The entry `exported` is served through, or `undefined` when another plugin exports a class of its name. */
  private claim(record: PluginRecord, exported: Type<object>): ExportHandle | undefined {
    let entry = this.exports.get(exported);
    // New code (a reload) brings new classes: the one of the same name takes over the old one's reference.
    entry ??= [...this.exports.entries()].find(
      ([cls, each]) => each.owner === record.name && cls.name === exported.name,
    )?.[1];
    entry ??= this.entryOf(exported);
    if (entry.owner !== undefined && entry.owner !== record.name) {
      this.registry.addWarning(
        record,
        `plugin "${record.name}" exports ${exported.name}, which plugin "${entry.owner}" already exports; injections of ${exported.name} keep going to "${entry.owner}". Export it from one plugin only.`,
      );
      return undefined;
    }
    entry.owner = record.name;
    this.exports.set(exported, entry);
    return entry;
  }

  private entryOf(exported: Type<object>): ExportHandle {
    let entry = this.exports.get(exported);
    if (!entry) {
      entry = { handle: createPluginReference(exported, {}), exported };
      entry.handle.pointTo(this.stubOf(entry));
      this.exports.set(exported, entry);
    }
    return entry;
  }

  /** The stub of the entry's class: its calls throw why the owner cannot be called now (or that no plugin exports it). */
  private stubOf(entry: ExportHandle): object {
    if (entry.stub?.exported !== entry.exported) {
      const unavailable = (): PluginError => {
        const owner = entry.owner === undefined ? undefined : this.registry.get(entry.owner);
        if (owner) return this.registry.unavailableError(owner);
        const name = entry.exported.name;
        return new PluginError(
          PluginErrorCode.NOT_FOUND,
          `no plugin exports ${name}. List it in the exports of the plugin that provides it (@Plugin({ providers: [${name}], exports: [${name}] })), and check that plugin is installed and enabled.`,
        );
      };
      entry.stub = {
        exported: entry.exported,
        target: Object.create(createUnavailablePrototype(entry.exported, unavailable)) as object,
      };
    }
    return entry.stub.target;
  }
}

/** The classes a plugin exports. */
export function exportsOf(record: PluginRecord): Type<object>[] {
  return (record.metadata.exports ?? []) as Type<object>[];
}
