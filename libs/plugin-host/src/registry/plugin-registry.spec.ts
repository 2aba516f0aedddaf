import { describe, expect, it, jest } from '@jest/globals';
import type { Type } from '@nestjs/common';
import { types } from 'node:util';
import { PluginError } from '../errors/plugin-error.js';
import { PluginErrorCode } from '../errors/plugin-error-code.js';
import type { PluginEvent } from './plugin-events.js';
import type { PluginRecord } from './plugin-record.js';
import { PluginRegistry } from './plugin-registry.js';
import { PluginState } from './plugin-state.js';

class Scorer {
  constructor(readonly label = 'first') {}
  score(): string {
    return `scored by ${this.label}`;
  }
  async slow(release: Promise<void>): Promise<string> {
    await release;
    return this.label;
  }
}

/** A record as the loader makes one: discovered, with its class unless it is a lazy package not imported yet. */
function record(
  name: string,
  pluginClass: Type<object> | undefined = Scorer,
  extra: Partial<PluginRecord> = {},
): PluginRecord {
  return {
    name,
    metadata: { name, type: 'scorer', version: '1.0.0' },
    pluginClass,
    source: { kind: 'module-options', description: `class ${name}` },
    lazy: false,
    folder: '/tmp',
    required: false,
    state: PluginState.DISCOVERED,
    timings: {},
    warnings: [],
    ...extra,
  };
}

/** A registry holding `records`, in that (dependency) order. */
function registryOf(...records: PluginRecord[]): PluginRegistry {
  const registry = new PluginRegistry('0.1.0', '/tmp');
  for (const each of records) registry.add(each);
  return registry;
}

const thrownBy = (fn: () => unknown): PluginError => {
  try {
    fn();
  } catch (error) {
    return error as PluginError;
  }
  throw new Error('expected a throw');
};

describe('PluginRegistry transitions and the reference', () => {
  it('aims the reference at the instance while the plugin may run, and at a stub that says why otherwise', () => {
    const scorer = record('scorer');
    const registry = registryOf(scorer);
    const reference = registry.referenceOf('scorer') as Scorer;
    registry.attachInstance(scorer, new Scorer());
    expect(thrownBy(() => reference.score())).toMatchObject({
      code: 'PLUGIN_DISABLED',
      message: expect.stringContaining('not initialized yet'),
    });
    registry.transition(scorer, PluginState.LOADED);
    expect(reference.score()).toBe('scored by first'); // its own initialize may call it
    registry.transition(scorer, PluginState.ENABLED);
    expect(reference.score()).toBe('scored by first');
    registry.transition(scorer, PluginState.DISABLED);
    expect(thrownBy(() => reference.score())).toMatchObject({
      code: 'PLUGIN_DISABLED',
      message: expect.stringContaining('it is disabled'),
    });
    const cause = new PluginError(PluginErrorCode.INIT_FAILED, 'model file missing', { plugin: 'scorer' });
    registry.transition(scorer, PluginState.FAILED, cause);
    expect(thrownBy(() => reference.score())).toMatchObject({
      code: 'PLUGIN_DISABLED',
      cause,
      message: expect.stringContaining('model file missing'),
    });
    expect(types.isProxy(reference)).toBe(false);
    expect(registry.referenceOf('scorer')).toBe(reference); // one reference per name, for good
  });

  it('emits one event per state change (none for a same-state transition), with the error for plugin.failed, and counts versions', () => {
    const scorer = record('scorer');
    const registry = registryOf(scorer);
    const events: PluginEvent[] = [];
    for (const name of ['plugin.enabled', 'plugin.failed', 'plugin.disabled'] as const)
      registry.events.on(name, (event) => events.push(event));
    const version = registry.version;
    registry.attachInstance(scorer, new Scorer());
    registry.transition(scorer, PluginState.ENABLED);
    registry.transition(scorer, PluginState.ENABLED);
    registry.transition(
      scorer,
      PluginState.FAILED,
      new PluginError(PluginErrorCode.CRASHED, 'worker died', { plugin: 'scorer' }),
    );
    expect(events.map(({ name, previousState }) => `${previousState} → ${name}`)).toEqual([
      'discovered → plugin.enabled',
      'enabled → plugin.failed',
    ]);
    expect(events[1].error).toEqual({ code: 'PLUGIN_CRASHED', message: 'PLUGIN_CRASHED: worker died' });
    expect(registry.version).toBeGreaterThan(version + 2);
  });

  it('keeps the transition going when a listener throws (Node warns)', () => {
    const scorer = record('scorer');
    const registry = registryOf(scorer);
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    registry.events.on('plugin.enabled', () => {
      throw new Error('listener bug');
    });
    try {
      registry.attachInstance(scorer, new Scorer());
      registry.transition(scorer, PluginState.ENABLED);
      expect(scorer.state).toBe(PluginState.ENABLED);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('listener bug'));
    } finally {
      warn.mockRestore();
    }
  });

  it('moves the same reference to a new instance (a reload) and hands back the calls still running on the old one', async () => {
    const scorer = record('scorer');
    const registry = registryOf(scorer);
    const reference = registry.referenceOf('scorer') as Scorer;
    registry.attachInstance(scorer, new Scorer('first'));
    registry.transition(scorer, PluginState.ENABLED);
    let release!: () => void;
    const running = reference.slow(new Promise<void>((resolve) => (release = resolve)));
    const inFlight = registry.attachInstance(scorer, new Scorer('second'));
    expect(inFlight.size).toBe(1);
    expect(reference.score()).toBe('scored by second');
    release();
    expect(await running).toBe('first');
    await inFlight.idle();
    expect(inFlight.size).toBe(0);
  });

  it('gives a name no plugin has a reference whose calls throw PLUGIN_NOT_FOUND, listing the known plugins', () => {
    const registry = registryOf(record('scorer'));
    const missing = registry.referenceOf('scroer') as Scorer;
    expect(thrownBy(() => missing.score())).toMatchObject({
      code: 'PLUGIN_NOT_FOUND',
      message: expect.stringContaining('scorer'),
    });
    expect(registry.referenceOf('scroer')).toBe(missing);
  });
});

describe('PluginRegistry type lists', () => {
  it('holds exactly the enabled plugins of a type, in dependency order, in one live array', () => {
    const [a, b, c] = [record('a'), record('b'), record('c')];
    const registry = registryOf(a, b, c);
    const list = registry.listOf('scorer');
    for (const each of [c, a, b]) {
      registry.attachInstance(each, new Scorer(each.name));
      registry.transition(each, PluginState.ENABLED);
    }
    expect(list.map((plugin) => (plugin as Scorer).score())).toEqual(['scored by a', 'scored by b', 'scored by c']);
    registry.transition(b, PluginState.DISABLED);
    expect(list).toHaveLength(2);
    registry.transition(b, PluginState.ENABLED);
    expect(list.map((plugin) => (plugin as Scorer).label)).toEqual(['a', 'b', 'c']);
    expect(registry.listOf('scorer')).toBe(list);
    expect(registry.listOf('other')).toEqual([]);
  });
});

describe('PluginRegistry lazy plugins', () => {
  it('loads a lazy plugin on the first async call and makes it; refuses a sync one with PLUGIN_NOT_LOADED after loading', async () => {
    const lazy = record('lazy', Scorer, { lazy: true, pluginClass: undefined });
    const registry = registryOf(lazy);
    const loads: string[] = [];
    registry.setLazyLoader(async (name) => {
      loads.push(name);
      registry.attachClass(lazy, Scorer, lazy.metadata);
      registry.attachInstance(lazy, new Scorer('loaded'));
      registry.transition(lazy, PluginState.ENABLED);
    });
    const reference = registry.referenceOf('lazy') as Scorer;
    expect(await reference.slow(Promise.resolve())).toBe('loaded');
    expect(loads).toEqual(['lazy']);

    const other = record('other', Scorer, { lazy: true, pluginClass: undefined });
    registry.add(other);
    registry.setLazyLoader(async () => {
      registry.attachClass(other, Scorer, other.metadata);
      registry.attachInstance(other, new Scorer('other'));
      registry.transition(other, PluginState.ENABLED);
    });
    const sync = registry.referenceOf('other') as unknown as { score(): Promise<string> };
    await expect(sync.score()).rejects.toMatchObject({ code: 'PLUGIN_NOT_LOADED' });
    expect((sync as unknown as Scorer).score()).toBe('scored by other'); // loaded now: direct calls
  });
});
