import { describe, expect, it } from '@jest/globals';
import type { Type } from '@nestjs/common';
import { types } from 'node:util';
import { PluginError } from '../errors/plugin-error.js';
import { PluginErrorCode } from '../errors/plugin-error-code.js';
import { PluginRegistry, PluginState, type PluginRecord } from '../registry/index.js';
import { PluginReferences, type LazyLoad } from './plugin-references.js';

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

/** A registry holding `records` (in that dependency order), the references built on it, and the registry's own records. */
function hostOf(
  records: PluginRecord[],
  load: LazyLoad = (name) => Promise.reject(new Error(`no loader for ${name}`)),
): { registry: PluginRegistry; references: PluginReferences; owned: PluginRecord[] } {
  const registry = new PluginRegistry('0.1.0', '/tmp');
  const owned = records.map((each) => registry.add(each));
  return { registry, references: new PluginReferences(registry, load), owned };
}

const thrownBy = (fn: () => unknown): PluginError => {
  try {
    fn();
  } catch (error) {
    return error as PluginError;
  }
  throw new Error('expected a throw');
};

describe('PluginReferences: the reference follows the record', () => {
  it('aims the reference at the instance while the plugin may run, and at a stub that says why otherwise', () => {
    const {
      registry,
      references,
      owned: [scorer],
    } = hostOf([record('scorer')]);
    const reference = references.referenceOf('scorer') as Scorer;
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
    expect(references.referenceOf('scorer')).toBe(reference); // one reference per name, for good
  });

  it('moves the same reference to a new instance (a reload) and hands back the calls still running on the old one', async () => {
    const {
      registry,
      references,
      owned: [scorer],
    } = hostOf([record('scorer')]);
    const reference = references.referenceOf('scorer') as Scorer;
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
    const { references } = hostOf([record('scorer')]);
    const missing = references.referenceOf('scroer') as Scorer;
    expect(thrownBy(() => missing.score())).toMatchObject({
      code: 'PLUGIN_NOT_FOUND',
      message: expect.stringContaining('scorer'),
    });
    expect(references.referenceOf('scroer')).toBe(missing);
  });
});

describe('PluginReferences type lists', () => {
  it('holds exactly the enabled plugins of a type, in dependency order, in one live array', () => {
    const {
      registry,
      references,
      owned: [a, b, c],
    } = hostOf([record('a'), record('b'), record('c')]);
    const list = references.listOf('scorer');
    for (const each of [c, a, b]) {
      registry.attachInstance(each, new Scorer(each.name));
      registry.transition(each, PluginState.ENABLED);
    }
    expect(list.map((plugin) => (plugin as Scorer).score())).toEqual(['scored by a', 'scored by b', 'scored by c']);
    registry.transition(b, PluginState.DISABLED);
    expect(list).toHaveLength(2);
    registry.transition(b, PluginState.ENABLED);
    expect(list.map((plugin) => (plugin as Scorer).label)).toEqual(['a', 'b', 'c']);
    expect(references.listOf('scorer')).toBe(list);
    expect(references.listOf('other')).toEqual([]);
  });
});

describe('PluginReferences lazy plugins', () => {
  it('loads a lazy plugin on the first async call and makes it; refuses a sync one with PLUGIN_NOT_LOADED after loading', async () => {
    const loads: string[] = [];
    const { registry, references } = hostOf(
      [
        record('lazy', Scorer, { lazy: true, pluginClass: undefined }),
        record('other', Scorer, { lazy: true, pluginClass: undefined }),
      ],
      async (name) => {
        loads.push(name);
        const lazy = registry.require(name);
        registry.attachClass(lazy, Scorer, lazy.metadata);
        registry.attachInstance(lazy, new Scorer(name === 'lazy' ? 'loaded' : name));
        registry.transition(lazy, PluginState.ENABLED);
      },
    );
    const reference = references.referenceOf('lazy') as Scorer;
    expect(await reference.slow(Promise.resolve())).toBe('loaded');
    expect(loads).toEqual(['lazy']);

    const sync = references.referenceOf('other') as unknown as { score(): Promise<string> };
    await expect(sync.score()).rejects.toMatchObject({ code: 'PLUGIN_NOT_LOADED' });
    expect((sync as unknown as Scorer).score()).toBe('scored by other'); // loaded now: direct calls
  });

  it('gives each caller the load failure, and calls nothing', async () => {
    const { references } = hostOf([record('lazy', Scorer, { lazy: true, pluginClass: undefined })], () =>
      Promise.reject(new PluginError(PluginErrorCode.LOAD_FAILED, 'entry missing', { plugin: 'lazy' })),
    );
    const reference = references.referenceOf('lazy') as Scorer;
    await expect(reference.slow(Promise.resolve())).rejects.toMatchObject({ code: 'PLUGIN_LOAD_FAILED' });
  });
});
