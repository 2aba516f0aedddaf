import { expect } from '@jest/globals';
import { chmodSync, readFileSync } from 'node:fs';
import inspector from 'node:inspector';
import { getPriority } from 'node:os';
import { addPlugin, eventually, type FaultHost } from '../faults/fault-host.js';
import { GreeterModule, RAW_CHANNEL, exists, isAlive, rssMb } from './isolation-attacks.js';

/** One attack on the isolation boundary (worker or child process), beside a healthy plugin. The README's table lists the same cases. */
export interface IsolationCase {
  name: string;
  tier: 'worker' | 'process';
  /** The expected outcome, as the README states it. */
  outcome: string;
  run(host: FaultHost): Promise<void>;
}

type Called = { call(...args: unknown[]): Promise<unknown> } & Record<string, (...args: unknown[]) => Promise<unknown>>;
const reference = (host: FaultHost, name = 'faulty'): Called => host.reference<Called>(name);
const MB = 2 ** 20;

async function expectFailed(host: FaultHost, code: string, message: RegExp, name = 'faulty'): Promise<void> {
  await eventually(() => expect(host.plugins.info(name).state).toBe('failed'));
  const info = host.plugins.info(name);
  expect(info.error?.code).toBe(code);
  expect(info.error?.message).toMatch(message);
  await host.expectServing();
}

/** `addPlugin` with `inject: ['Greeter']` in both the manifest and `@Plugin()`. */
function addGreeterUser(host: FaultHost, tier: string, members: string, prelude = ''): void {
  addPlugin(host.tree, 'faulty', members, { isolation: tier, inject: ['Greeter'] }, prelude);
  host.tree.write(
    'plugins/faulty/index.js',
    host.tree.read('plugins/faulty/index.js').replace("version: '1.0.0' }", "version: '1.0.0', inject: ['Greeter'] }"),
  );
}

/** The forged first messages of the "forged ready" case: each must fail its plugin, not the host. */
const FORGED_READY: Record<string, Record<string, unknown>> = {
  proto: { methods: ['__proto__', 'call'] },
  ctor: { methods: ['constructor'] },
  junk: { methods: [1, null, {}] },
  many: { methods: Array.from({ length: 10_000 }, (_, i) => `m${i}`) },
  hooks: { methods: ['call'], hooks: 'not a list' },
  meta: { methods: ['call'], metadata: null },
  routeMethod: { methods: ['call'], routes: [{ method: 'BREW', path: '/pot' }] },
  routePath: { methods: ['call'], routes: [{ method: 'GET', path: `/${'x'.repeat(5000)}` }] },
  routeMany: { methods: ['call'], routes: Array.from({ length: 2000 }, () => ({ method: 'GET', path: '/' })) },
};

function protocolCases(tier: 'worker' | 'process'): IsolationCase[] {
  return [
    {
      name: 'sends a log message with an unknown level',
      tier,
      outcome:
        'the call and the plugin fail with `PLUGIN_PROTOCOL_ERROR`, the isolate is killed and not restarted; enable starts it afresh',
      async run(host) {
        addPlugin(
          host.tree,
          'faulty',
          "call(level) { rawSend({ type: 'log', level, message: 'x' }); return 'sent'; }",
          { isolation: tier },
          RAW_CHANNEL,
        );
        await host.boot();
        await expect(reference(host).call('nope')).rejects.toMatchObject({ code: 'PLUGIN_PROTOCOL_ERROR' });
        await expectFailed(host, 'PLUGIN_PROTOCOL_ERROR', /"log" message.*level/);
        await expect(host.plugins.enable('faulty')).resolves.toMatchObject({ state: 'enabled' });
        await expect(reference(host).call('log')).resolves.toBe('sent');
        await host.expectServing();
      },
    },
    {
      name: 'forged ready: `__proto__`, `constructor`, non-strings, 10 000 methods, bad hooks or metadata',
      tier,
      outcome: 'each plugin `failed` with `PLUGIN_PROTOCOL_ERROR`; boot completes',
      async run(host) {
        for (const [name, forged] of Object.entries(FORGED_READY)) {
          const ready = { type: 'ready', asyncMethods: [], hooks: [], metadata: {}, ...forged };
          addPlugin(
            host.tree,
            name,
            'call() { return 1; }',
            { isolation: tier },
            `${RAW_CHANNEL}\nrawSend(${JSON.stringify(ready)});`,
          );
        }
        await host.boot();
        for (const name of Object.keys(FORGED_READY)) await expectFailed(host, 'PLUGIN_PROTOCOL_ERROR', /ready/, name);
        expect(Object.prototype).not.toHaveProperty('call');
      },
    },
    {
      name: 'throws errors of any shape',
      tier,
      outcome: 'each call rejects with an `Error` (name and message as strings); the plugin stays enabled',
      async run(host) {
        addPlugin(
          host.tree,
          'faulty',
          `call(kind) {
    const error = new Error('plain');
    if (kind === 'proto-name') error.name = '__proto__';
    if (kind === 'ctor-name') error.name = 'constructor';
    if (kind === 'object-message') Object.defineProperty(error, 'message', { value: { nested: true } });
    if (kind === 'object-code') error.code = { not: 'a string' };
    if (kind === 'cyclic-details') { error.code = 'PLUGIN_TIMEOUT'; error.details = {}; error.details.self = error.details; }
    if (kind === 'string') throw 'just a string';
    if (kind === 'null') throw null;
    throw error;
  }`,
          { isolation: tier },
        );
        await host.boot();
        for (const kind of [
          'proto-name',
          'ctor-name',
          'object-message',
          'object-code',
          'cyclic-details',
          'string',
          'null',
          'plain',
        ]) {
          const error = await reference(host)
            .call(kind)
            .then(
              () => undefined,
              (thrown: unknown) => thrown,
            );
          expect(error).toBeInstanceOf(Error);
          expect(typeof (error as Error).message).toBe('string');
          expect(typeof (error as Error).name).toBe('string');
          expect(JSON.stringify((error as { details?: unknown }).details ?? null)).toBeDefined(); // details are plain data
        }
        expect(host.plugins.info('faulty').state).toBe('enabled');
        await host.expectServing();
      },
    },
    {
      name: 'host-call to `constructor`, `toString`, `__proto__` … of a host service',
      tier,
      outcome: 'each rejects with `PLUGIN_ACCESS_DENIED`; the service’s own methods work; the plugin stays enabled',
      async run(host) {
        addGreeterUser(
          host,
          tier,
          "async initialize(config, ctx) { this.ctx = ctx; }\n  async call(method) { return await this.ctx.get('Greeter')[method]('x'); }",
        );
        await host.boot({ imports: [GreeterModule], expose: ['Greeter'] });
        await expect(reference(host).call('greet')).resolves.toBe('host greets x');
        const members = [
          'constructor',
          'toString',
          'valueOf',
          'hasOwnProperty',
          '__proto__',
          '__defineGetter__',
          'isPrototypeOf',
          'toLocaleString',
        ];
        for (const method of members) {
          await expect(reference(host).call(method)).rejects.toMatchObject({
            code: 'PLUGIN_ACCESS_DENIED',
            message: expect.stringContaining(method),
          });
        }
        expect(host.plugins.info('faulty').state).toBe('enabled');
        await host.expectServing();
      },
    },
    {
      name: 'host-call of a malformed shape',
      tier,
      outcome: 'the plugin `failed` with `PLUGIN_PROTOCOL_ERROR`; no host service is called',
      async run(host) {
        addGreeterUser(
          host,
          tier,
          "call() { rawSend({ type: 'host-call', id: 1, token: { name: 'Greeter' }, method: 7, args: 'x' }); return 'sent'; }",
          RAW_CHANNEL,
        );
        await host.boot({ imports: [GreeterModule], expose: ['Greeter'] });
        await expect(reference(host).call()).rejects.toMatchObject({ code: 'PLUGIN_PROTOCOL_ERROR' });
        await expectFailed(host, 'PLUGIN_PROTOCOL_ERROR', /host-call/);
      },
    },
    {
      name: 'plugin named `3d-viewer` (starts with a digit)',
      tier,
      outcome: 'boots and serves like any plugin',
      async run(host) {
        addPlugin(host.tree, '3d-viewer', "call() { return 'rendered'; }", { isolation: tier });
        await host.boot();
        expect(host.plugins.info('3d-viewer').state).toBe('enabled');
        await expect(reference(host, '3d-viewer').call()).resolves.toBe('rendered');
        await host.expectServing();
      },
    },
    {
      name: 'class with a `then()` method',
      tier,
      outcome: '`failed`, `PLUGIN_MANIFEST_INVALID` ("cannot have a then() method"); boot completes',
      async run(host) {
        addPlugin(host.tree, 'faulty', 'then(resolve) { resolve(42); }\n  call() { return 1; }', { isolation: tier });
        await host.boot();
        await expectFailed(host, 'PLUGIN_MANIFEST_INVALID', /cannot have a then\(\) method/);
      },
    },
    {
      name: 'never finishes loading (a top-level await that never settles)',
      tier,
      outcome: '`failed`, `PLUGIN_TIMEOUT` after its initialize timeout; boot completes',
      async run(host) {
        addPlugin(host.tree, 'faulty', 'call() { return 1; }', { isolation: tier }, 'await new Promise(() => {});');
        await host.boot({ pluginTimeouts: { faulty: { initialize: 2000 } } });
        await expectFailed(host, 'PLUGIN_TIMEOUT', /did not finish loading in its (worker|process) within 2000 ms/);
      },
    },
    {
      name: 'returns a 200 MB result',
      tier,
      outcome:
        'that call fails with `PLUGIN_RESOURCE_LIMIT` (over `maxMessageBytes`, 16 MB) before the result is sent: the host receives none of it; the plugin stays enabled',
      async run(host) {
        addPlugin(host.tree, 'faulty', 'call(mb) { return new Uint8Array(mb * 2 ** 20).fill(1); }', {
          isolation: tier,
        });
        await host.boot();
        const before = rssMb();
        await expect(reference(host).call(200)).rejects.toMatchObject({
          code: 'PLUGIN_RESOURCE_LIMIT',
          message: expect.stringMatching(/maxMessageBytes/),
        });
        expect(rssMb() - before).toBeLessThan(tier === 'worker' ? 300 : 100); // a worker's own 200 MB are in this process
        expect(host.plugins.info('faulty').state).toBe('enabled');
        await expect(reference(host).call(1)).resolves.toHaveLength(MB);
        await host.expectServing();
      },
    },
    {
      name: 'holds 1.5 GB of Buffers (heapMb 64)',
      tier,
      outcome:
        'killed once over `memoryMb` (default 2 × heapMb + 128): calls fail with `PLUGIN_RESOURCE_LIMIT`; `failed` with it, then restarted',
      async run(host) {
        addPlugin(
          host.tree,
          'faulty',
          'call(mb) { (this.kept ??= []).push(Buffer.alloc(mb * 2 ** 20, 1)); return process.pid; }',
          { isolation: tier },
        );
        await host.boot({ isolation: { faulty: { tier, heapMb: 64 } } });
        const before = rssMb();
        let peak = 0;
        const codes = new Set<string | undefined>();
        for (let held = 0; held < 1536 && codes.size === 0; held += 100) {
          const answer = await reference(host)
            .call(100)
            .then(
              (pid) => ({ pid: pid as number }),
              (error: { code?: string }) => ({ error }),
            );
          if ('error' in answer) codes.add(answer.error.code);
          const child = 'pid' in answer && answer.pid !== process.pid ? childRssMb(answer.pid) : 0;
          peak = Math.max(peak, rssMb() - before + child);
          await new Promise((resolve) => setTimeout(resolve, 150)); // a memory sample or two
          if (host.plugins.info('faulty').state !== 'enabled') codes.add(host.plugins.info('faulty').error?.code);
        }
        expect([...codes]).toContain('PLUGIN_RESOURCE_LIMIT');
        expect(peak).toBeLessThan(256 + 250); // the cap, one call's 100 MB and this process's noise
        await host.expectServing();
        await eventually(() => expect(host.plugins.info('faulty').state).toBe('enabled')); // restarted, empty
        await expect(reference(host).call(1)).resolves.toEqual(expect.any(Number));
        await eventually(() => expect(host.plugins.info('faulty').state).toBe('enabled'));
      },
    },
  ];
}

/** A process's group and session ids (Linux /proc). */
function groupOf(pid: number): { pgrp: string; session: string } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { pgrp: fields[2], session: fields[3] };
}

function childRssMb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

export const ISOLATION_CASES: IsolationCase[] = [
  ...protocolCases('worker'),
  ...protocolCases('process'),
  {
    name: 'allocates 3 GB with its event loop blocked',
    tier: 'worker',
    outcome:
      'it cannot report its memory; once silent for 1 s while the process’s memory is over what the host and its workers may use, it is killed: `PLUGIN_RESOURCE_LIMIT`, long before 3 GB',
    async run(host) {
      addPlugin(
        host.tree,
        'faulty',
        'call() { const kept = []; for (let i = 0; i < 30; i++) { kept.push(Buffer.alloc(100 * 2 ** 20, 1)); const until = Date.now() + 100; while (Date.now() < until); } return kept.length; }',
        { isolation: 'worker' },
      );
      await host.boot({ isolation: { faulty: { tier: 'worker', heapMb: 64 } } });
      const before = rssMb();
      let peak = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMb() - before)), 50);
      try {
        await expect(reference(host).call()).rejects.toMatchObject({
          code: 'PLUGIN_RESOURCE_LIMIT',
          message: expect.stringContaining('stopped reporting'),
        });
      } finally {
        clearInterval(sampler);
      }
      expect(peak).toBeLessThan(2000);
      await host.expectServing();
    },
  },
  {
    name: 'signals its host: `process.kill`, `_kill`, `_debugProcess`, `os.setPriority`, process group',
    tier: 'process',
    outcome:
      'each fails with `ERR_ACCESS_DENIED`; no signal reaches the host; its inspector stays closed; its priority unchanged; the child has its own process group and session',
    async run(host) {
      addPlugin(
        host.tree,
        'faulty',
        `call(target, how) {
    switch (how) {
      case 'kill': return process.kill(target, 'SIGWINCH');
      case 'kill-ppid': return process.kill(process.ppid, 'SIGWINCH');
      case 'kill-number': return process.kill(target, 28);
      case 'named-import': return namedKill(target, 'SIGWINCH');
      case 'group': return process.kill(0, 'SIGWINCH');
      case '_kill': return process._kill(target, 28);
      case 'builtin': return process.getBuiltinModule('node:process').kill(target, 'SIGWINCH');
      case 'binding': return process.binding('process_methods')._kill(target, 28);
      case 'debug': return process._debugProcess(target);
      case 'priority': return setPriority(target, 19);
      case 'restore': return Object.defineProperty(process, 'kill', { value: () => 'replaced' });
      case 'pid': return process.pid;
    }
  }`,
        { isolation: 'process' },
        "import { kill as namedKill } from 'node:process';\nimport { setPriority } from 'node:os';",
      );
      let signals = 0;
      const onSignal = (): void => void signals++;
      process.on('SIGWINCH', onSignal);
      const priority = getPriority(process.pid);
      try {
        await host.boot();
        for (const how of [
          'kill',
          'kill-ppid',
          'kill-number',
          'named-import',
          'group',
          '_kill',
          'builtin',
          'binding',
          'debug',
          'priority',
        ]) {
          await expect(reference(host).call(process.pid, how)).rejects.toMatchObject({ code: 'ERR_ACCESS_DENIED' });
        }
        await expect(reference(host).call(process.pid, 'restore')).rejects.toBeInstanceOf(TypeError); // frozen
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(signals).toBe(0);
        expect(inspector.url()).toBeUndefined();
        expect(getPriority(process.pid)).toBe(priority);
        // Its own session and process group: a terminal's Ctrl-C (or a signal to the host's group) does not reach it.
        const child = (await reference(host).call(0, 'pid')) as number;
        expect(groupOf(child)).not.toEqual(groupOf(process.pid));
        expect(host.plugins.info('faulty').state).toBe('enabled');
        await host.expectServing();
      } finally {
        process.off('SIGWINCH', onSignal);
        if (inspector.url()) inspector.close();
      }
    },
  },
  {
    name: 'sends a 400 MB message past its runtime',
    tier: 'process',
    outcome:
      'the host reads the frame’s length and kills the process without buffering it: `failed` with `PLUGIN_RESOURCE_LIMIT`; the host does not grow',
    async run(host) {
      addPlugin(
        host.tree,
        'faulty',
        "call() { rawSend({ type: 'log', level: 'log', message: 'x'.repeat(400 * 2 ** 20) }); return 'sent'; }\n  pid() { return process.pid; }",
        {},
        RAW_CHANNEL,
      );
      await host.boot({ isolation: { faulty: { tier: 'process', heapMb: 2048, memoryMb: 4096 } } });
      const pid = (await reference(host).pid()) as number;
      const before = rssMb();
      await expect(reference(host).call()).rejects.toMatchObject({ code: 'PLUGIN_RESOURCE_LIMIT' });
      expect(rssMb() - before).toBeLessThan(100);
      await expectFailed(host, 'PLUGIN_RESOURCE_LIMIT', /maxMessageBytes/);
      await eventually(() => expect(exists(pid)).toBe(false)); // a 2 GB process takes a moment to tear down, then this host reaps it
    },
  },
  {
    name: 'runs as another user (`uid`/`gid` options)',
    tier: 'process',
    outcome:
      'the process runs as that uid and gid (a root host); a host without the privilege fails the plugin with `PLUGIN_LOAD_FAILED` (EPERM)',
    async run(host) {
      addPlugin(host.tree, 'faulty', 'call() { return [process.getuid(), process.getgid()]; }', {});
      chmodSync(host.tree.root, 0o755); // the other user reads the plugin's package
      await host.boot({ isolation: { faulty: { tier: 'process', uid: 65534, gid: 65534 } } });
      if (process.getuid?.() === 0) {
        await expect(reference(host).call()).resolves.toEqual([65534, 65534]);
      } else {
        await expectFailed(host, 'PLUGIN_LOAD_FAILED', /EPERM/);
      }
      await host.expectServing();
      expect(isAlive(process.pid)).toBe(true);
    },
  },
];
