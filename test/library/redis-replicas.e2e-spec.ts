// Three replicas of a host (separate Node processes, test/library/replica-app.mjs on the built library) sharing their
// plugin state through a real redis-server started for the test. The tests run in order on one cluster: each starts
// from the state the one before left.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { RedisPluginStateStore } from 'nestjs-plugin-host/redis';
import { redisServer, startRedis, type RedisProcess } from '../support/redis-server.mjs';
import { PackageTree, REPO } from './package-tree.js';

const TOKEN = 'replicas-test-token-0123456789';
/** The promise: every connected replica applies an operation within this long after it returns on one. */
const BOUND_MS = 1000;

interface Replica {
  name: string;
  url: string;
  child: ChildProcess;
}

const greeterCode = (label: string) => `import { Plugin } from 'nestjs-plugin-host';
export class GreeterPlugin {
  initialize(config) { this.greeting = config.greeting ?? 'hello'; }
  greet() { return { code: ${JSON.stringify(label)}, greeting: this.greeting }; }
}
Plugin({ name: 'greeter', type: 'custom', version: '1.0.0' })(GreeterPlugin);
`;

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const withRedis = redisServer.found ? describe : describe.skip;
withRedis(
  redisServer.found
    ? `replicas sharing their plugin state through ${redisServer.found.split(' ').slice(0, 3).join(' ')}`
    : `replicas sharing their plugin state through Redis: SKIPPED, ${redisServer.missing}`,
  () => {
    const tree = new PackageTree(REPO);
    let redis: RedisProcess;
    const replicas: Replica[] = [];

    async function start(name: string): Promise<Replica> {
      const child = spawn(process.execPath, [join(REPO, 'test/library/replica-app.mjs')], {
        cwd: REPO,
        env: {
          ...process.env,
          NODE_OPTIONS: '',
          PLUGIN_ROOT: tree.root,
          REDIS_URL: redis.url,
          REPLICA: name,
          ADMIN_TOKEN: TOKEN,
          CLUSTER: 'e2e',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const lines = createInterface({ input: child.stdout! });
      const port = await new Promise<number>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`replica ${name} exited (${code}) before listening`)));
        lines.once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
      });
      const replica = { name, url: `http://127.0.0.1:${port}`, child };
      replicas.push(replica);
      return replica;
    }

    const operate = (replica: Replica, path: string, body?: object) =>
      json(`${replica.url}/admin/plugins/${path}`, {
        method: body ? 'PATCH' : 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        ...(body && { body: JSON.stringify(body) }),
      });
    const state = async (replica: Replica) => (await json(`${replica.url}/state`)).body;

    /** Waits until `check` holds on every replica given; fails past BOUND_MS, returning how long it took. */
    async function within(targets: Replica[], check: (replica: Replica) => Promise<boolean>): Promise<number> {
      const started = Date.now();
      for (;;) {
        const results = await Promise.all(targets.map(check));
        if (results.every(Boolean)) return Date.now() - started;
        if (Date.now() - started > BOUND_MS)
          throw new Error(`not on every replica within ${BOUND_MS} ms: ${JSON.stringify(results)}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }

    beforeAll(async () => {
      redis = await startRedis();
      tree.write('package.json', { name: 'replicas-host', version: '1.0.0', type: 'module' });
      tree.package(
        'plugins/greeter',
        {
          name: 'greeter-plugin',
          nestPlugin: { name: 'greeter', type: 'custom', entry: './index.js', compatibility: '^0.1.0' },
        },
        { 'index.js': greeterCode('v1') },
      );
      tree.package(
        'plugins/echo',
        {
          name: 'echo-plugin',
          nestPlugin: { name: 'echo', type: 'custom', entry: './index.js', compatibility: '^0.1.0' },
        },
        {
          'index.js': `import { Plugin } from 'nestjs-plugin-host';
export class EchoPlugin { echo(value) { return value; } }
Plugin({ name: 'echo', type: 'custom', version: '1.0.0' })(EchoPlugin);
`,
        },
      );
      await Promise.all(['a', 'b', 'c'].map(start));
    }, 60_000);

    afterAll(async () => {
      await Promise.all(
        replicas.map(
          ({ child }) =>
            new Promise((resolve) => {
              if (child.exitCode !== null) return resolve(undefined);
              child.once('exit', resolve);
              child.kill('SIGTERM');
            }),
        ),
      );
      await redis?.dispose();
      tree.remove();
    }, 30_000);

    it('a disable through one replica makes the others answer 503 within the bound', async () => {
      const [a, b, c] = replicas as [Replica, Replica, Replica];
      expect((await json(`${b.url}/greet`)).status).toBe(200);
      expect((await operate(a, 'greeter/disable')).status).toBe(200);
      expect((await json(`${a.url}/greet`)).body).toMatchObject({ code: 'PLUGIN_DISABLED', plugin: 'greeter' });
      await within([b, c], async (replica) => (await json(`${replica.url}/greet`)).status === 503);
      const body = (await json(`${c.url}/greet`)).body;
      expect(body).toMatchObject({ statusCode: 503, code: 'PLUGIN_DISABLED', plugin: 'greeter' });
      await operate(b, 'greeter/enable');
      await within(replicas, async (replica) => (await json(`${replica.url}/greet`)).status === 200);
    });

    it('updateConfig through one replica runs the new config on all', async () => {
      const [a, b, c] = replicas as [Replica, Replica, Replica];
      expect((await operate(b, 'greeter/config', { greeting: 'hej' })).status).toBe(200);
      await within([a, c], async (replica) => (await json(`${replica.url}/greet`)).body.greeting === 'hej');
    });

    it('a reload through one replica runs the new code on all', async () => {
      tree.write('plugins/greeter/index.js', greeterCode('v2'));
      expect((await operate(replicas[2]!, 'greeter/reload')).status).toBe(200);
      await within(replicas, async (replica) => (await json(`${replica.url}/greet`)).body.code === 'v2');
      expect((await json(`${replicas[0]!.url}/greet`)).body).toEqual({ code: 'v2', greeting: 'hej' });
    });

    it('a replica started after the changes boots into them; all show the same state version', async () => {
      await operate(replicas[0]!, 'echo/disable');
      const late = await start('late');
      const states = await Promise.all(replicas.map(state));
      for (const s of states)
        expect(s).toMatchObject({ version: states[0]!.version, states: { greeter: 'enabled', echo: 'disabled' } });
      expect((await json(`${late.url}/greet`)).body).toEqual({ code: 'v2', greeting: 'hej' });
      const health = await json(`${late.url}/admin/plugins`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(health.status).toBe(200);
    }, 30_000);

    it('with Redis down, an operation fails with PLUGIN_STATE_UNAVAILABLE and no replica diverges; after a restart without data the replicas re-seed it and go on', async () => {
      const before = await Promise.all(replicas.map(state));
      await redis.stop();
      const started = Date.now();
      const refused = await operate(replicas[1]!, 'greeter/disable');
      expect(Date.now() - started).toBeLessThan(2500);
      expect(refused).toMatchObject({ status: 503, body: { code: 'PLUGIN_STATE_UNAVAILABLE', plugin: 'greeter' } });
      expect(await Promise.all(replicas.map(state))).toEqual(before);
      for (const replica of replicas) expect((await json(`${replica.url}/greet`)).status).toBe(200);

      await redis.start(); // empty: no persistence
      const store = new RedisPluginStateStore({ url: redis.url, cluster: 'e2e' });
      try {
        const deadline = Date.now() + 10_000;
        while ((await store.read().catch(() => ({ version: 0 }))).version < (before[0]!.version as number)) {
          if (Date.now() > deadline) throw new Error('the replicas did not re-seed the store');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect((await store.read()).version).toBe(before[0]!.version);
      } finally {
        await store.close();
      }
      const again = await operate(replicas[1]!, 'greeter/disable');
      expect(again.status).toBe(200);
      await within(replicas, async (replica) => (await json(`${replica.url}/greet`)).status === 503);
      await operate(replicas[2]!, 'greeter/enable');
      await within(replicas, async (replica) => (await json(`${replica.url}/greet`)).status === 200);
    }, 30_000);

    it('200 random operations from all replicas at once: every replica ends with the same version and state as the store', async () => {
      let seed = 7;
      const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
      const requests = Array.from({ length: 200 }, () => {
        const replica = replicas[random(replicas.length)]!;
        const plugin = ['greeter', 'echo'][random(2)]!;
        const operation = ['enable', 'disable', 'reload', 'config'][random(4)]!;
        return () =>
          operation === 'config'
            ? operate(replica, `${plugin}/config`, { greeting: `g${random(1000)}` })
            : operate(replica, `${plugin}/${operation}`);
      });
      const answers = await Promise.all(requests.map((request) => request()));
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status >= 400).length).toBeLessThanOrEqual(10);
      const store = new RedisPluginStateStore({ url: redis.url, cluster: 'e2e' });
      try {
        const stored = await store.read();
        await within(replicas, async (replica) => (await state(replica)).version === stored.version);
        const states = await Promise.all(replicas.map(state));
        for (const s of states) expect(s.states).toEqual(states[0]!.states);
        for (const [name, desired] of Object.entries(stored.plugins))
          if (desired.enabled !== undefined)
            expect((states[0]!.states as Record<string, string>)[name]).toBe(desired.enabled ? 'enabled' : 'disabled');
        const greetings = await Promise.all(replicas.map(async (replica) => (await json(`${replica.url}/greet`)).body));
        for (const greeting of greetings) expect(greeting).toEqual(greetings[0]);
      } finally {
        await store.close();
      }
    }, 60_000);
  },
);
