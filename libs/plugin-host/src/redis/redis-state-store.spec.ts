import { Redis } from 'ioredis';
import { redisServer, startRedis, type RedisProcess } from '../../../../test/support/redis-server.mjs';
import { PluginErrorCode } from '../errors/plugin-error-code.js';
import type { PluginStateChange, PluginStateListener, ReplicaInfo } from '../contracts/plugin-state-store.interface.js';
import { RedisPluginStateStore } from './redis-state-store.js';

describe('RedisPluginStateStore options', () => {
  it.each([
    [{ url: 'http://127.0.0.1:6379' }, '"url" must be a redis:// or rediss:// URL'],
    [{ cluster: 'a{b}' }, '"cluster" must be a non-empty string without braces'],
    [{ commandTimeoutMs: 0 }, '"commandTimeoutMs" must be a positive integer'],
    [{ auditCapacity: 1.5 }, '"auditCapacity" must be a positive integer'],
  ])('refuses %j with PLUGIN_OPTIONS_INVALID', (options, message) => {
    expect(() => new RedisPluginStateStore(options)).toThrow(
      expect.objectContaining({ code: PluginErrorCode.OPTIONS_INVALID, message: expect.stringContaining(message) }),
    );
  });
});

/** A listener that records what it is told. */
function recorder() {
  const seen = {
    changes: [] as PluginStateChange[],
    status: [] as boolean[],
    reseeded: [] as number[],
    audit: [] as string[],
  };
  const replicas: ReplicaInfo[] = [];
  const listener: PluginStateListener = {
    change: (change) => seen.changes.push(change),
    reseeded: (version) => seen.reseeded.push(version),
    audit: (entry) => seen.audit.push(entry.plugin),
    replica: (info) => replicas.push(info),
    status: (up) => seen.status.push(up),
  };
  return { seen, replicas, listener };
}

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const withRedis = redisServer.found ? describe : describe.skip;
withRedis(
  redisServer.found
    ? `RedisPluginStateStore on ${redisServer.found}`
    : `RedisPluginStateStore: SKIPPED, ${redisServer.missing}`,
  () => {
    let redis: RedisProcess;
    const stores: RedisPluginStateStore[] = [];
    const open = (cluster = 'test', more = {}) => {
      const store = new RedisPluginStateStore({ url: redis.url, cluster, commandTimeoutMs: 500, ...more });
      stores.push(store);
      return store;
    };

    beforeEach(async () => {
      redis = await startRedis();
    });
    afterEach(async () => {
      await Promise.all(stores.splice(0).map((store) => store.close()));
      await redis.dispose();
    });

    it('commits a change atomically under the next version, refuses a stale entry version, and reads it back', async () => {
      const store = open();
      const base = { operation: 'disable', replica: 'a', atLeast: 0 };
      const first = await store.commit({ ...base, plugin: 'pyod', desired: { enabled: false }, expected: 0 });
      expect(first).toEqual({
        status: 'committed',
        change: {
          version: 1,
          plugin: 'pyod',
          desired: { enabled: false, version: 1 },
          operation: 'disable',
          replica: 'a',
        },
      });
      // Another replica computed from the entry before this change: refused, nothing written.
      expect(await store.commit({ ...base, plugin: 'pyod', desired: { enabled: true }, expected: 0 })).toEqual({
        status: 'conflict',
        version: 1,
      });
      const config = { threshold: 0.5, nested: { list: [1, 2] } };
      await store.commit({ ...base, plugin: 'pyod', desired: { enabled: false, config }, expected: 1 });
      await store.commit({ ...base, plugin: 'sklearn', desired: { generation: 1 }, expected: 0 });
      expect(await store.read()).toEqual({
        version: 3,
        plugins: { pyod: { enabled: false, config, version: 2 }, sklearn: { generation: 1, version: 3 } },
      });
      // A replica that applied more than the store holds (the store lost its data) is told so.
      expect(await store.commit({ ...base, plugin: 'x', desired: {}, expected: 0, atLeast: 9 })).toEqual({
        status: 'stale',
        version: 3,
      });
    });

    it('delivers committed changes to every subscriber in version order, after saying it is up', async () => {
      const [a, b] = [open(), open()];
      const [ra, rb] = [recorder(), recorder()];
      const subscriptions = [a.subscribe(ra.listener), b.subscribe(rb.listener)];
      await until(() => ra.seen.status[0] === true && rb.seen.status[0] === true, 'both subscriptions');
      for (let i = 0; i < 20; i++)
        await (i % 2 ? a : b).commit({
          plugin: `p${i % 3}`,
          desired: { enabled: i % 2 === 0 },
          expected: (await a.read()).plugins[`p${i % 3}`]?.version ?? 0,
          atLeast: 0,
          operation: 'enable',
          replica: i % 2 ? 'a' : 'b',
        });
      await until(() => ra.seen.changes.length === 20 && rb.seen.changes.length === 20, 'twenty changes');
      expect(ra.seen.changes.map((change) => change.version)).toEqual([...Array(20).keys()].map((i) => i + 1));
      expect(rb.seen.changes).toEqual(ra.seen.changes);
      await Promise.all(subscriptions.map((subscription) => subscription.close()));
    });

    it('replaces the stored state only with a higher version (re-seed), and tells subscribers', async () => {
      const store = open();
      const { seen, listener } = recorder();
      store.subscribe(listener);
      await until(() => seen.status[0] === true, 'the subscription');
      const state = {
        version: 7,
        plugins: { pyod: { enabled: false, version: 7 }, iforest: { config: { n: 2 }, version: 3 } },
      };
      expect(await store.seed(state)).toBe(true);
      expect(await store.read()).toEqual(state);
      expect(await store.seed({ version: 7, plugins: {} })).toBe(false);
      expect(await store.read()).toEqual(state);
      await until(() => seen.reseeded.length === 1, 'the reseeded message');
      expect(seen.reseeded).toEqual([7]);
    });

    it('keeps a capped audit of every replica, oldest first, and delivers each entry', async () => {
      const store = open('test', { auditCapacity: 5 });
      const { seen, listener } = recorder();
      store.subscribe(listener);
      await until(() => seen.status[0] === true, 'the subscription');
      for (let i = 0; i < 300; i++)
        await store.appendAudit({
          time: `t${i}`,
          operation: 'enable',
          plugin: `p${i}`,
          outcome: 'ok',
          replica: 'a',
          id: `${i}`,
        });
      const last = await store.readAudit(3);
      expect(last.map((entry) => entry.plugin)).toEqual(['p297', 'p298', 'p299']);
      // Trimmed near the capacity (Redis trims whole stream nodes, so a little more than 5 may stay, never all 300).
      expect((await store.readAudit(1000)).length).toBeLessThan(300);
      await until(() => seen.audit.length === 300, 'every audit entry');
    });

    it('lists the replicas seen recently, forgets the ones that left or went quiet', async () => {
      const store = open();
      const now = Date.now();
      await store.announce('a', { replica: 'a', versions: { pyod: '1.0.0' }, seen: now });
      await store.announce('b', { replica: 'b', versions: { pyod: '1.1.0' }, seen: now });
      await store.announce('old', { replica: 'old', versions: {}, seen: now - 120_000 });
      expect((await store.replicas(60_000)).map((info) => info.replica).sort()).toEqual(['a', 'b']);
      await store.announce('b', undefined);
      expect(await store.replicas(60_000)).toEqual([{ replica: 'a', versions: { pyod: '1.0.0' }, seen: now }]);
    });

    it('keeps clusters apart on one Redis', async () => {
      const [demo, other] = [open('demo'), open('other')];
      await demo.commit({
        plugin: 'pyod',
        desired: { enabled: false },
        expected: 0,
        atLeast: 0,
        operation: 'disable',
        replica: 'a',
      });
      expect(await other.read()).toEqual({ version: 0, plugins: {} });
    });

    it('fails calls within its timeout while Redis is away (never queued), says it is down, and comes back with a new connection', async () => {
      const store = open();
      const { seen, listener } = recorder();
      store.subscribe(listener);
      await until(() => seen.status[0] === true, 'the subscription');
      await redis.stop();
      await until(() => seen.status.at(-1) === false, 'the down status');
      const started = Date.now();
      await expect(store.read()).rejects.toThrow(/Redis at redis:\/\/127\.0\.0\.1:\d+\/? is not connected/);
      expect(Date.now() - started).toBeLessThan(700); // half the timeout waiting for a reconnect, then the error
      await redis.start();
      await until(() => seen.status.at(-1) === true, 'the up status after the restart');
      expect(await store.read()).toEqual({ version: 0, plugins: {} });
    });

    it('answers within its command timeout when Redis accepts connections but does not answer', async () => {
      const store = open();
      await store.read();
      const admin = new Redis(redis.url);
      await admin.call('CLIENT', 'PAUSE', '1500', 'ALL');
      const started = Date.now();
      await expect(store.read()).rejects.toThrow(/Command timed out/);
      expect(Date.now() - started).toBeLessThan(1400);
      admin.disconnect();
    });

    it('waits for a connection at most half its timeout (Redis may start beside the app)', async () => {
      await redis.stop();
      const store = open();
      const started = Date.now();
      await expect(store.read()).rejects.toThrow(/is not connected/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(240);
      expect(Date.now() - started).toBeLessThan(700);
    });

    it('hands over what is in Redis as it is; entries and messages not of its own shape are dropped', async () => {
      const store = open();
      const { seen, listener } = recorder();
      store.subscribe(listener);
      await until(() => seen.status[0] === true, 'the subscription');
      const admin = new Redis(redis.url);
      await admin.hset('plugins:{test}:state', 'pyod', 'not json');
      await admin.hset('plugins:{test}:versions', 'pyod', '1');
      await admin.set('plugins:{test}:version', '1');
      expect(await store.read()).toEqual({ version: 1, plugins: { pyod: undefined } });
      for (const message of ['change:x:{}', 'change:2:[]', 'audit:{"outcome":"maybe"}', 'replica:null', 'nonsense'])
        await admin.publish('plugins:{test}:changes', message);
      await admin.publish(
        'plugins:{test}:changes',
        'change:2:{"plugin":"pyod","desired":{"enabled":false},"operation":"disable","replica":"b"}',
      );
      await until(() => seen.changes.length === 1, 'the one well-formed change');
      expect(seen.changes[0]).toEqual({
        version: 2,
        plugin: 'pyod',
        desired: { enabled: false, version: 2 },
        operation: 'disable',
        replica: 'b',
      });
      expect(seen.audit).toEqual([]);
      admin.disconnect();
    });
  },
);
