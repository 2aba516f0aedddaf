// Several replicas in one process on an InMemoryPluginStateStore: the shared-state rules (order, precedence, failure,
// re-seed, audit, health) without Redis. test/library/redis-replicas.e2e-spec.ts runs separate processes on a real one.
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  InMemoryPluginStateStore,
  Plugin,
  PluginErrorCode,
  PluginHealthIndicator,
  PluginManager,
  PluginState,
  type PluginContext,
  type PluginModuleSyncOptions,
} from 'nestjs-plugin-host';
import { IsNumber, IsOptional, IsString, Max, Min } from 'class-validator';
import { bootHost, type Host } from './fixtures.js';

let instances = 0;
let initializations = 0;

class ScorerConfig {
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  threshold?: number;

  @IsOptional()
  @IsString()
  label?: string;
}

/** Remembers its config and which instance it is: a reload makes a new one. */
@Plugin({
  name: 'scorer',
  type: 'algorithm',
  version: '1.0.0',
  compatibility: '^0.1.0',
  configSchema: ScorerConfig,
})
class ScorerPlugin {
  readonly instance = ++instances;
  config: Record<string, unknown> = {};
  initialize(config: Record<string, unknown>, _ctx: PluginContext<object>): void {
    this.config = config;
    initializations++;
  }
  configure(config: Record<string, unknown>): void {
    if (config.label === 'refused') throw new Error('the label "refused" is refused');
    this.config = config;
  }
}

/** The same plugin name in another version, as a replica with another package installed has it. */
@Plugin({ name: 'scorer', type: 'algorithm', version: '1.1.0', compatibility: '^0.1.0' })
class NewerScorerPlugin {}

@Plugin({ name: 'source', type: 'data-source', version: '1.0.0', compatibility: '^0.1.0' })
class SourcePlugin {}

@Plugin({
  name: 'report',
  type: 'output',
  version: '1.0.0',
  compatibility: '^0.1.0',
  dependencies: { source: '^1.0.0' },
})
class ReportPlugin {}

const PLUGINS = [ScorerPlugin, SourcePlugin, ReportPlugin];

describe('replicas sharing a plugin state store (in memory)', () => {
  const hosts: Host[] = [];
  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((host) => host.close()));
  });

  const replica = async (store: InMemoryPluginStateStore, name: string, options: PluginModuleSyncOptions = {}) => {
    const host = await bootHost({ plugins: PLUGINS, state: { store, replica: name }, ...options });
    hosts.push(host);
    return host.moduleRef.get(PluginManager);
  };
  const cluster = async (store = new InMemoryPluginStateStore()) => ({
    store,
    managers: await Promise.all(['a', 'b', 'c'].map((name) => replica(store, name))),
  });

  /** Every replica's version, and the state of each plugin on it. */
  const snapshot = (manager: PluginManager) => ({
    version: manager.stateVersion(),
    states: Object.fromEntries(manager.list().map((info) => [info.name, info.state])),
    config:
      manager.info('scorer').state === PluginState.ENABLED ? manager.get<ScorerPlugin>('scorer').config : undefined,
  });

  async function settled(managers: PluginManager[], version: number): Promise<void> {
    const deadline = Date.now() + 1000;
    while (managers.some((manager) => manager.stateVersion() < version)) {
      if (Date.now() > deadline)
        throw new Error(`replicas at ${managers.map((m) => m.stateVersion())}, expected ${version} within 1 s`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  it('a disable on one replica disables the plugin on every replica; each says which version it applied', async () => {
    const { managers } = await cluster();
    const [a, b, c] = managers as [PluginManager, PluginManager, PluginManager];
    expect(managers.map((m) => m.stateVersion())).toEqual([0, 0, 0]);
    await a.disable('scorer');
    await settled(managers, 1);
    for (const manager of [b, c]) {
      expect(manager.info('scorer').state).toBe(PluginState.DISABLED);
      expect(() => manager.get('scorer')).toThrow(expect.objectContaining({ code: PluginErrorCode.DISABLED }));
    }
    await c.enable('scorer');
    await settled(managers, 2);
    expect(managers.map((m) => m.info('scorer').state)).toEqual(Array(3).fill(PluginState.ENABLED));
  });

  it('updateConfig on one replica runs the new config on all; an invalid patch changes nothing anywhere', async () => {
    const { store, managers } = await cluster();
    const [a, b] = managers as [PluginManager, PluginManager];
    await b.updateConfig('scorer', { threshold: 0.25 });
    await settled(managers, 1);
    for (const manager of managers)
      expect(manager.get<ScorerPlugin>('scorer').config).toMatchObject({ threshold: 0.25 });
    await a.updateConfig('scorer', { label: 'x' }); // patches merge, across replicas
    await settled(managers, 2);
    for (const manager of managers)
      expect(manager.get<ScorerPlugin>('scorer').config).toMatchObject({ threshold: 0.25, label: 'x' });
    await expect(a.updateConfig('scorer', { threshold: 7 })).rejects.toMatchObject({
      code: PluginErrorCode.CONFIG_INVALID,
    });
    expect((await store.read()).version).toBe(2);
  });

  it('a reload on one replica reloads the plugin on all', async () => {
    const { managers } = await cluster();
    const before = managers.map((manager) => manager.get<ScorerPlugin>('scorer').instance);
    await managers[2]!.reload('scorer');
    await settled(managers, 1);
    const after = managers.map((manager) => manager.get<ScorerPlugin>('scorer').instance);
    after.forEach((instance, i) => expect(instance).not.toBe(before[i]));
    expect(new Set(after).size).toBe(3);
  });

  it('a replica started later boots into the stored state, which wins over its options for what it covers', async () => {
    const store = new InMemoryPluginStateStore();
    const a = await replica(store, 'a', { disabled: ['source'] });
    await a.disable('scorer');
    await a.enable('source');
    await a.updateConfig('report', {});
    const initialized = initializations;
    const late = await replica(store, 'late', { disabled: ['source'] });
    expect(late.stateVersion()).toBe(3);
    expect(late.info('scorer').state).toBe(PluginState.DISABLED);
    expect(initializations).toBe(initialized); // never started there
    expect(late.info('source').state).toBe(PluginState.ENABLED);
  });

  it('a late replica initializes a plugin with the stored config from the start', async () => {
    const store = new InMemoryPluginStateStore();
    await (await replica(store, 'a')).updateConfig('scorer', { threshold: 0.9 });
    const before = instances;
    const late = await replica(store, 'late');
    expect(late.get<ScorerPlugin>('scorer').config).toMatchObject({ threshold: 0.9 });
    expect(instances).toBe(before + 1); // not started with the options first, then reconfigured
  });

  it('a disable cascades to dependents on every replica, and the cascade is stored', async () => {
    const { store, managers } = await cluster();
    const result = await managers[0]!.disable('source');
    expect(result.alsoDisabled).toEqual(['report']);
    await settled(managers, 2);
    for (const manager of managers) expect(manager.info('report').state).toBe(PluginState.DISABLED);
    expect((await store.read()).plugins).toMatchObject({ source: { enabled: false }, report: { enabled: false } });
  });

  it('with the store down, operations fail with PLUGIN_STATE_UNAVAILABLE and change nothing; health says so; it catches up once back', async () => {
    const { store, managers } = await cluster();
    const [a, b] = managers as [PluginManager, PluginManager];
    store.available = false;
    await expect(a.disable('scorer')).rejects.toMatchObject({
      code: PluginErrorCode.STATE_UNAVAILABLE,
      plugin: 'scorer',
    });
    expect(a.info('scorer').state).toBe(PluginState.ENABLED);
    expect(a.audit().at(-1)).toMatchObject({
      operation: 'disable',
      outcome: 'error',
      code: 'PLUGIN_STATE_UNAVAILABLE',
    });
    const health = await hosts[0]!.moduleRef.get(PluginHealthIndicator).check();
    expect(health.plugins).toMatchObject({ status: 'up', '@state': { store: 'down', version: 0, replica: 'a' } });
    store.available = true;
    await b.disable('scorer');
    await settled(managers, 1);
    expect(managers.map((m) => m.info('scorer').state)).toEqual(Array(3).fill(PluginState.DISABLED));
    const after = await hosts[0]!.moduleRef.get(PluginHealthIndicator).check();
    expect(after.plugins).toMatchObject({ '@state': { store: 'up', version: 1 } });
  });

  it('a store that lost its data is re-seeded from the replicas (the highest version wins), not reset to options', async () => {
    const { store, managers } = await cluster();
    await managers[0]!.disable('scorer');
    await managers[1]!.updateConfig('source', {});
    await settled(managers, 2);
    store.available = false;
    store.clear(); // a Redis without persistence restarting
    store.available = true;
    await settled(managers, 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stored = await store.read();
    expect(stored.version).toBe(2);
    expect(stored.plugins.scorer).toMatchObject({ enabled: false });
    expect(managers.map((m) => m.info('scorer').state)).toEqual(Array(3).fill(PluginState.DISABLED));
    await managers[2]!.enable('scorer');
    await settled(managers, 3);
    expect(managers.map((m) => m.info('scorer').state)).toEqual(Array(3).fill(PluginState.ENABLED));
  });

  it('an updateConfig the plugin refuses on the replica that made it is taken back in the store; no replica keeps it', async () => {
    const { store, managers } = await cluster();
    await managers[0]!.updateConfig('scorer', { label: 'kept' });
    await expect(managers[1]!.updateConfig('scorer', { label: 'refused' })).rejects.toThrow('is refused');
    const stored = await store.read();
    expect(stored.plugins.scorer?.config).toEqual({ label: 'kept' });
    await settled(managers, stored.version);
    for (const manager of managers) expect(manager.get<ScorerPlugin>('scorer').config).toMatchObject({ label: 'kept' });
  });

  it('a replica that starts while the store is down starts from its options, then applies the stored state once it answers', async () => {
    const store = new InMemoryPluginStateStore();
    await (await replica(store, 'a')).disable('scorer');
    store.available = false;
    const late = await replica(store, 'late');
    expect(late.info('scorer').state).toBe(PluginState.ENABLED);
    expect(late.stateVersion()).toBe(0);
    expect(hosts.at(-1)!.logger.messages().join('\n')).toContain('starts from its own options');
    store.available = true;
    await settled([late], 1);
    expect(late.info('scorer').state).toBe(PluginState.DISABLED);
  });

  it('a replica whose installed version of a plugin differs from the others says so in its health', async () => {
    const store = new InMemoryPluginStateStore();
    await replica(store, 'a');
    const newer = await bootHost({
      plugins: [NewerScorerPlugin, SourcePlugin, ReportPlugin],
      state: { store, replica: 'b' },
    });
    hosts.push(newer);
    const health = async () => (await newer.moduleRef.get(PluginHealthIndicator).check()).plugins;
    for (let waited = 0; !(await health())['@state']?.versionMismatch; waited += 10) {
      if (waited > 1000) throw new Error(`no versionMismatch: ${JSON.stringify((await health())['@state'])}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect((await health())['@state']).toMatchObject({
      versionMismatch: [{ plugin: 'scorer', here: '1.1.0', elsewhere: { a: '1.0.0' } }],
    });
    const original = await hosts[0]!.moduleRef.get(PluginHealthIndicator).check();
    expect(original.plugins['@state']).toMatchObject({
      versionMismatch: [{ plugin: 'scorer', here: '1.0.0', elsewhere: { b: '1.1.0' } }],
    });
  });

  it("lists the cluster's audit on every replica, each entry once with the replica that made it", async () => {
    const { managers } = await cluster();
    await managers[0]!.disable('scorer');
    await managers[1]!.enable('scorer');
    await settled(managers, 2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const manager of managers)
      expect(manager.audit().map((entry) => `${entry.operation}@${entry.replica}`)).toEqual(['disable@a', 'enable@b']);
  });

  it('200 random operations from all replicas at once leave every replica in the same state, equal to the store', async () => {
    const { store, managers } = await cluster();
    let seed = 42;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const operations = Array.from({ length: 200 }, () => {
      const manager = managers[random(3)]!;
      const plugin = ['scorer', 'source', 'report'][random(3)]!;
      switch (random(4)) {
        case 0:
          return () => manager.disable(plugin);
        case 1:
          return () => manager.enable(plugin);
        case 2:
          return () => manager.reload(plugin);
        default:
          return () => manager.updateConfig('scorer', { threshold: random(100) / 100 });
      }
    });
    const outcomes = await Promise.allSettled(operations.map((operation) => operation()));
    const failures = outcomes.filter((outcome) => outcome.status === 'rejected');
    // Nearly all go through; a refusal is one a user can act on (a dependency disabled, the plugin changed on every try).
    expect(failures.length).toBeLessThanOrEqual(10);
    for (const failure of failures)
      expect([
        PluginErrorCode.DEPENDENCY_MISSING,
        PluginErrorCode.STATE_UNAVAILABLE,
        PluginErrorCode.DISABLED,
      ]).toContain(((failure as PromiseRejectedResult).reason as { code: string }).code);
    const stored = await store.read();
    await settled(managers, stored.version);
    const [first, ...rest] = managers.map(snapshot);
    for (const other of rest) expect(other).toEqual(first);
    expect(first!.version).toBe(stored.version);
    for (const [name, desired] of Object.entries(stored.plugins))
      if (desired.enabled !== undefined)
        expect(first!.states[name]).toBe(desired.enabled ? PluginState.ENABLED : PluginState.DISABLED);
  }, 30_000);
});
