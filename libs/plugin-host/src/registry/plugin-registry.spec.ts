import { describe, expect, it, jest } from '@jest/globals';
import type { Type } from '@nestjs/common';
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

/** A registry holding `record`, and the registry's own copy of it. */
function registryOf(given: PluginRecord): [PluginRegistry, PluginRecord] {
  const registry = new PluginRegistry('0.1.0', '/tmp');
  return [registry, registry.add(given)];
}

describe('PluginRegistry transitions', () => {
  it('emits one event per state change (none for a same-state transition), with the error for plugin.failed, and counts versions', () => {
    const [registry, scorer] = registryOf(record('scorer'));
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
    const [registry, scorer] = registryOf(record('scorer'));
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

  it('owns its records: it refuses to change one it does not hold, such as a copy', () => {
    const [registry, scorer] = registryOf(record('scorer'));
    expect(registry.require('scorer')).toBe(scorer);
    registry.transition(scorer, PluginState.LOADED);
    const copy = { ...scorer };
    expect(() => registry.transition(copy, PluginState.ENABLED)).toThrow('not a record of this registry');
    expect(() => registry.addWarning(copy, 'a note')).toThrow('not a record of this registry');
    expect(() => new PluginRegistry('0.1.0').setConfig(scorer, { config: {} })).toThrow(
      'not a record of this registry',
    );
    expect(scorer.state).toBe(PluginState.LOADED);
    expect(scorer.warnings).toEqual([]);
  });

  it('changes fields only as asked: warnings once, timings set or added, config and updates independently', () => {
    const [registry, scorer] = registryOf(record('scorer', Scorer, { warnings: ['from discovery'] }));
    registry.addWarning(scorer, 'no compatibility range');
    registry.addWarning(scorer, 'no compatibility range');
    registry.addWarning(scorer, undefined);
    expect(scorer.warnings).toEqual(['from discovery', 'no compatibility range']);
    registry.recordTiming(scorer, 'load', 3);
    registry.recordTiming(scorer, 'load', 2, true);
    registry.recordTiming(scorer, 'initialize', 7);
    expect(scorer.timings).toEqual({ load: 5, initialize: 7 });
    registry.setConfig(scorer, { updates: { depth: 2 } });
    registry.setConfig(scorer, { config: { depth: 2, seed: 1 } });
    expect(scorer).toMatchObject({ config: { depth: 2, seed: 1 }, configUpdates: { depth: 2 } });
    registry.setConfig(scorer, { updates: undefined });
    expect(scorer.configUpdates).toBeUndefined();
    expect(scorer.config).toEqual({ depth: 2, seed: 1 });
  });

  it('tells its observers of every class and target change, and hands back what they say is in flight', async () => {
    const [registry, scorer] = registryOf(record('scorer'));
    const seen: string[] = [];
    const pending = { size: 1, idle: () => Promise.resolve() };
    registry.observe({
      classChanged: (changed) => void seen.push(`class ${changed.pluginClass?.name}`),
      targetChanged: (changed) => (seen.push(`target ${changed.state}`), pending),
    });
    registry.attachClass(scorer, Scorer, scorer.metadata);
    expect(registry.attachInstance(scorer, new Scorer())).toBe(pending);
    registry.transition(scorer, PluginState.ENABLED);
    expect(seen).toEqual(['class Scorer', 'target discovered', 'target enabled']);
    // A second observer's calls in flight are waited for too.
    let settle = (): void => undefined;
    const later = new Promise<void>((resolve) => (settle = resolve));
    registry.observe({ classChanged: () => undefined, targetChanged: () => ({ size: 2, idle: () => later }) });
    const both = registry.transition(scorer, PluginState.DISABLED);
    expect(both.size).toBe(3);
    let idle = false;
    const waited = both.idle().then(() => (idle = true));
    await Promise.resolve();
    expect(idle).toBe(false);
    settle();
    await waited;
  });
});
