import { expect } from '@jest/globals';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { packageIntegrity } from '../../libs/plugin-host/src/trust/index.js';
import { addPlugin, eventually, type FaultHost } from './fault-host.js';

/** One misbehaving plugin: how it is built, and what must happen. The README's table lists the same cases. */
export interface FaultCase {
  name: string;
  tier: 'in-process' | 'worker' | 'process' | 'none';
  /** The expected outcome, as the README states it. */
  outcome: string;
  run(host: FaultHost): Promise<void>;
}

type Called = { call(...args: unknown[]): Promise<unknown> };
const reference = (host: FaultHost, name = 'faulty'): Called => host.reference<Called>(name);
const SHORT = { pluginTimeouts: { faulty: { initialize: 300, cleanup: 300, healthCheck: 200 } } };
const markerOf = (name: string): string =>
  `globalThis.__faultImports = [...(globalThis.__faultImports ?? []), ${JSON.stringify(name)}];`;
const imported = (): string[] => ((globalThis as Record<string, unknown>).__faultImports as string[] | undefined) ?? [];

async function expectFailed(host: FaultHost, code: string, message: string | RegExp, name = 'faulty'): Promise<void> {
  const info = host.plugins.info(name);
  expect(info.state).toBe('failed');
  expect(info.error?.code).toBe(code);
  expect(info.error?.message).toMatch(message);
  await host.expectServing();
}

export const FAULT_CASES: FaultCase[] = [
  {
    name: 'throws in initialize',
    tier: 'in-process',
    outcome: '`failed`, `PLUGIN_INIT_FAILED` with the error',
    async run(host) {
      addPlugin(host.tree, 'faulty', "initialize() { throw new Error('no database'); }");
      await host.boot();
      await expectFailed(host, 'PLUGIN_INIT_FAILED', /threw in initialize: no database/);
    },
  },
  {
    name: 'throws in configure (runtime config update)',
    tier: 'in-process',
    outcome: '`updateConfig` rejects with `PLUGIN_CONFIG_INVALID`; the plugin keeps running its old config',
    async run(host) {
      addPlugin(
        host.tree,
        'faulty',
        "configure() { throw new Error('cannot apply'); }\n  ping() { return 'still here'; }",
      );
      await host.boot();
      await expect(host.plugins.updateConfig('faulty', { level: 2 })).rejects.toMatchObject({
        code: 'PLUGIN_CONFIG_INVALID',
        message: expect.stringContaining('cannot apply'),
      });
      expect(host.plugins.info('faulty').state).toBe('enabled');
      await host.expectServing();
    },
  },
  {
    name: 'throws in healthCheck',
    tier: 'in-process',
    outcome: '`/health` 503 with the plugin `down` and the error; the plugin stays enabled',
    async run(host) {
      addPlugin(host.tree, 'faulty', "healthCheck() { throw new Error('disk full'); }");
      await host.boot();
      const health = await host.http().get('/health').expect(503);
      expect(health.body.details.plugins.faulty).toMatchObject({ status: 'down', message: 'disk full' });
      expect(health.body.details.plugins.bystander).toMatchObject({ status: 'up' });
      expect(host.plugins.info('faulty').state).toBe('enabled');
      await host.expectServing();
    },
  },
  {
    name: 'throws in cleanup',
    tier: 'in-process',
    outcome: 'shutdown completes; the plugin ends `failed` with `PLUGIN_CLEANUP_FAILED`; the others are cleaned up',
    async run(host) {
      addPlugin(host.tree, 'faulty', "cleanup() { throw new Error('cannot flush'); }");
      const plugins = await host.boot();
      await host.expectServing();
      await expect(plugins.disable('faulty')).resolves.toMatchObject({
        state: 'failed',
        error: { code: 'PLUGIN_CLEANUP_FAILED' },
      });
      await host.expectServing();
    },
  },
  {
    name: 'initialize never resolves',
    tier: 'in-process',
    outcome: '`failed`, `PLUGIN_TIMEOUT` after the initialize timeout; boot goes on',
    async run(host) {
      addPlugin(host.tree, 'faulty', 'initialize() { return new Promise(() => {}); }');
      await host.boot(SHORT);
      await expectFailed(host, 'PLUGIN_TIMEOUT', /initialize.*300 ms/);
    },
  },
  {
    name: 'cleanup never resolves',
    tier: 'in-process',
    outcome: 'disable and shutdown finish after the cleanup timeout; `PLUGIN_TIMEOUT`',
    async run(host) {
      addPlugin(host.tree, 'faulty', 'cleanup() { return new Promise(() => {}); }');
      const plugins = await host.boot(SHORT);
      await expect(plugins.disable('faulty')).resolves.toMatchObject({
        state: 'failed',
        error: { code: 'PLUGIN_TIMEOUT' },
      });
      await host.expectServing();
    },
  },
  {
    name: 'healthCheck never resolves',
    tier: 'in-process',
    outcome: '`/health` answers within the healthCheck timeout, the plugin `down` with `PLUGIN_TIMEOUT`',
    async run(host) {
      addPlugin(host.tree, 'faulty', 'healthCheck() { return new Promise(() => {}); }');
      await host.boot(SHORT);
      const health = await host.http().get('/health').expect(503);
      expect(health.body.details.plugins.faulty).toMatchObject({ status: 'down', code: 'PLUGIN_TIMEOUT' });
      await host.expectServing();
    },
  },
  {
    name: 'module throws at import time',
    tier: 'in-process',
    outcome: '`failed`, `PLUGIN_LOAD_FAILED` with the error and the file',
    async run(host) {
      addPlugin(host.tree, 'faulty', '', {}, "throw new Error('top-level boom');");
      await host.boot();
      await expectFailed(host, 'PLUGIN_LOAD_FAILED', /could not be imported from .*index\.js: top-level boom/);
    },
  },
  {
    name: 'config with wrong types',
    tier: 'in-process',
    outcome: '`failed`, `PLUGIN_CONFIG_INVALID` naming the key, the value and its source',
    async run(host) {
      addPlugin(
        host.tree,
        'faulty',
        'initialize() {}',
        {},
        "import { IsInt } from 'class-validator';\nclass Limits { limit = 1; }\nIsInt()(Limits.prototype, 'limit');",
      );
      host.tree.write(
        'plugins/faulty/index.js',
        host.tree
          .read('plugins/faulty/index.js')
          .replace("version: '1.0.0' }", "version: '1.0.0', configSchema: Limits }"),
      );
      await host.boot({ config: { faulty: { limit: 'ten' } } });
      await expectFailed(
        host,
        'PLUGIN_CONFIG_INVALID',
        /limit = "ten" from module options config\["faulty"\]: limit must be an integer/,
      );
    },
  },
  {
    name: 'huge config file',
    tier: 'in-process',
    outcome: '`failed`, `PLUGIN_CONFIG_INVALID`: the file is over 1 MB and is not read past that',
    async run(host) {
      addPlugin(host.tree, 'faulty', 'initialize() {}');
      const file = host.tree.write('huge.json', `{"padding":"${'x'.repeat(2 * 1024 * 1024)}"}`);
      await host.boot({ env: { PLUGIN_FAULTY_CONFIG: file } });
      await expectFailed(
        host,
        'PLUGIN_CONFIG_INVALID',
        /is over 1 MB; config files are limited to that and are not read further/,
      );
    },
  },
  {
    name: 'dependency cycle',
    tier: 'in-process',
    outcome: 'both `failed`, `PLUGIN_DEPENDENCY_CYCLE` listing the cycle',
    async run(host) {
      addPlugin(host.tree, 'faulty', '', { dependencies: { partner: '^1.0.0' } });
      addPlugin(host.tree, 'partner', '', { dependencies: { faulty: '^1.0.0' } });
      await host.boot();
      await expectFailed(
        host,
        'PLUGIN_DEPENDENCY_CYCLE',
        /"faulty" → "partner" → "faulty"|"partner" → "faulty" → "partner"/,
      );
      expect(host.plugins.info('partner').error?.code).toBe('PLUGIN_DEPENDENCY_CYCLE');
    },
  },
  {
    name: 'manifest is not valid JSON',
    tier: 'none',
    outcome: '`failed`, `PLUGIN_MANIFEST_INVALID` with the file',
    async run(host) {
      host.tree.write('plugins/faulty/package.json', '{ "name": "faulty", ');
      await host.boot();
      await expectFailed(host, 'PLUGIN_MANIFEST_INVALID', /package\.json is not valid JSON/);
    },
  },
  {
    name: 'manifest misses fields',
    tier: 'none',
    outcome: '`failed`, `PLUGIN_MANIFEST_INVALID` naming `type` and `entry`',
    async run(host) {
      host.tree.package('plugins/faulty', { name: 'faulty', nestPlugin: { name: 'faulty' } });
      await host.boot();
      await expectFailed(host, 'PLUGIN_MANIFEST_INVALID', /type is missing; entry is missing/);
    },
  },
  {
    name: 'entry escapes the package',
    tier: 'none',
    outcome: '`failed`, `PLUGIN_MANIFEST_INVALID`; nothing outside the package is imported',
    async run(host) {
      host.tree.write('outside.js', markerOf('outside'));
      host.tree.package('plugins/faulty', {
        name: 'faulty',
        nestPlugin: { name: 'faulty', type: 'custom', entry: '../../outside.js' },
      });
      await host.boot();
      await expectFailed(host, 'PLUGIN_MANIFEST_INVALID', /points outside the package folder/);
      expect(imported()).not.toContain('outside');
    },
  },
  {
    name: 'integrity mismatch',
    tier: 'none',
    outcome: '`failed`, `PLUGIN_UNTRUSTED` with both digests; never imported',
    async run(host) {
      addPlugin(host.tree, 'faulty', '', {}, markerOf('tampered'));
      const pinned = packageIntegrity(join(host.tree.root, 'plugins/faulty'));
      host.tree.write('plugins/faulty/index.js', `${host.tree.read('plugins/faulty/index.js')}\n// tampered\n`);
      await host.boot({ trust: { integrity: { 'faulty-plugin': pinned } } });
      await expectFailed(
        host,
        'PLUGIN_UNTRUSTED',
        /do not match trust\.integrity\["faulty-plugin"\] \(expected sha512-.*found sha512-/,
      );
      expect(imported()).not.toContain('tampered');
    },
  },
  {
    name: 'denied package',
    tier: 'none',
    outcome: '`failed`, `PLUGIN_UNTRUSTED` naming the deny rule; never imported',
    async run(host) {
      addPlugin(host.tree, 'faulty', '', {}, markerOf('denied'));
      await host.boot({ trust: { deny: ['faulty-*'] } });
      await expectFailed(host, 'PLUGIN_UNTRUSTED', /matches trust\.deny rule "faulty-\*"/);
      expect(imported()).not.toContain('denied');
    },
  },
  {
    name: 'not on the allow list',
    tier: 'none',
    outcome: '`failed`, `PLUGIN_UNTRUSTED`; never imported',
    async run(host) {
      addPlugin(host.tree, 'faulty', '', {}, markerOf('unlisted'));
      await host.boot({ trust: { allow: ['bystander'] } });
      await expectFailed(host, 'PLUGIN_UNTRUSTED', /is not on trust\.allow \("bystander"\)/);
      expect(imported()).not.toContain('unlisted');
    },
  },
  {
    name: 'untrusted plugin with untrusted: process',
    tier: 'process',
    outcome: 'runs, but in a child process under the permission model',
    async run(host) {
      addPlugin(host.tree, 'faulty', 'call() { return process.pid; }');
      await host.boot({ trust: { allow: ['bystander'], untrusted: 'process' } });
      expect(host.plugins.info('faulty').state).toBe('enabled');
      await expect(reference(host).call()).resolves.not.toBe(process.pid);
      await host.expectServing();
    },
  },
  {
    name: 'asks for a host service it did not declare',
    tier: 'in-process',
    outcome: '`failed`, `PLUGIN_ACCESS_DENIED`',
    async run(host) {
      addPlugin(host.tree, 'faulty', "initialize(config, ctx) { ctx.get('Secrets'); }");
      await host.boot({ expose: ['Secrets'] });
      await expectFailed(host, 'PLUGIN_ACCESS_DENIED', /does not declare it in @Plugin\(\{ inject \}\)/);
    },
  },
  {
    name: 'asks for a host service the host does not expose',
    tier: 'process',
    outcome: '`failed`, `PLUGIN_ACCESS_DENIED` (checked on the host side)',
    async run(host) {
      addPlugin(host.tree, 'faulty', "async initialize(config, ctx) { await ctx.get('Secrets').read(); }", {
        isolation: 'process',
        inject: ['Secrets'],
      });
      host.tree.write(
        'plugins/faulty/index.js',
        host.tree
          .read('plugins/faulty/index.js')
          .replace("version: '1.0.0' }", "version: '1.0.0', inject: ['Secrets'] }"),
      );
      await host.boot();
      await expectFailed(host, 'PLUGIN_ACCESS_DENIED', /which the host does not expose/);
    },
  },
  {
    name: 'throws in initialize',
    tier: 'worker',
    outcome: '`failed`, `PLUGIN_INIT_FAILED` with the error',
    async run(host) {
      addPlugin(host.tree, 'faulty', "initialize() { throw new Error('worker cannot start'); }", {
        isolation: 'worker',
      });
      await host.boot();
      await expectFailed(host, 'PLUGIN_INIT_FAILED', /worker cannot start/);
    },
  },
  {
    name: 'module throws at import time',
    tier: 'worker',
    outcome: '`failed`, `PLUGIN_LOAD_FAILED` with the error',
    async run(host) {
      addPlugin(host.tree, 'faulty', '', { isolation: 'worker' }, "throw new Error('top-level boom in worker');");
      await host.boot();
      await expectFailed(host, 'PLUGIN_LOAD_FAILED', /top-level boom in worker/);
    },
  },
  {
    name: 'synchronous infinite loop in a method',
    tier: 'worker',
    outcome: 'the call fails with `PLUGIN_CRASHED` after its timeout, the worker is killed and restarted',
    async run(host) {
      addPlugin(host.tree, 'faulty', 'call(spin) { if (spin) for (;;) {} return "fine"; }', { isolation: 'worker' });
      await host.boot({ isolation: { faulty: { tier: 'worker', callTimeoutMs: 300 } } });
      await expect(reference(host).call(true)).rejects.toMatchObject({
        code: 'PLUGIN_CRASHED',
        message: expect.stringContaining('did not answer within 300 ms'),
      });
      await host.expectServing();
      await eventually(() => expect(host.plugins.info('faulty').state).toBe('enabled'));
      await expect(reference(host).call(false)).resolves.toBe('fine');
    },
  },
  {
    name: 'unbounded memory growth',
    tier: 'worker',
    outcome:
      'the worker hits its heap limit; calls in flight fail with `PLUGIN_CRASHED` ("ran out of memory"); restarted',
    async run(host) {
      addPlugin(
        host.tree,
        'faulty',
        'call() { const hog = []; for (;;) hog.push(new Array(100000).fill(Math.random())); }',
        { isolation: 'worker' },
      );
      await host.boot({ isolation: { faulty: { tier: 'worker', heapMb: 32 } } });
      await expect(reference(host).call()).rejects.toMatchObject({
        code: 'PLUGIN_CRASHED',
        message: expect.stringContaining('ran out of memory'),
      });
      await host.expectServing();
      await eventually(() => expect(host.plugins.info('faulty').state).toBe('enabled'));
    },
  },
  {
    name: 'process.exit() in a method',
    tier: 'worker',
    outcome: 'calls in flight fail with `PLUGIN_CRASHED`; the plugin is `failed` then restarted; the host runs on',
    async run(host) {
      addPlugin(host.tree, 'faulty', 'call() { process.exit(3); }', { isolation: 'worker' });
      await host.boot();
      await expect(reference(host).call()).rejects.toMatchObject({
        code: 'PLUGIN_CRASHED',
        message: expect.stringContaining('exited with code 3'),
      });
      await host.expectServing();
      await eventually(() => expect(host.plugins.info('faulty').state).toBe('enabled'));
    },
  },
  {
    name: 'returns a value that cannot be cloned',
    tier: 'worker',
    outcome: 'that call fails with `PLUGIN_NOT_CLONEABLE` naming the method; the plugin stays enabled',
    async run(host) {
      addPlugin(host.tree, 'faulty', 'call() { return { run() {} }; }\n  plain() { return { ok: true }; }', {
        isolation: 'worker',
      });
      await host.boot();
      await expect(reference(host).call()).rejects.toMatchObject({
        code: 'PLUGIN_NOT_CLONEABLE',
        message: expect.stringContaining('method "call" returned a value that cannot cross'),
      });
      expect(host.plugins.info('faulty').state).toBe('enabled');
      await expect((reference(host) as unknown as { plain(): Promise<unknown> }).plain()).resolves.toEqual({
        ok: true,
      });
      await host.expectServing();
    },
  },
  {
    name: 'uncaught exception from a timer',
    tier: 'worker',
    outcome: 'the worker dies; the plugin is `failed` (`PLUGIN_QUARANTINED` with a budget of 1) with the error',
    async run(host) {
      addPlugin(host.tree, 'faulty', "initialize() { setTimeout(() => { throw new Error('late failure'); }, 50); }", {
        isolation: 'worker',
      });
      await host.boot({ crashBudget: { crashes: 1 } });
      await eventually(() => expect(host.plugins.info('faulty').error?.code).toBe('PLUGIN_QUARANTINED'));
      await expectFailed(host, 'PLUGIN_QUARANTINED', /late failure/);
    },
  },
  {
    name: 'crash loop',
    tier: 'worker',
    outcome:
      'restarted with backoff until the crash budget (here 2) is spent, then `PLUGIN_QUARANTINED`; enable starts it afresh',
    async run(host) {
      addPlugin(host.tree, 'faulty', 'initialize() { setTimeout(() => process.exit(1), 20); }', {
        isolation: 'worker',
      });
      const plugins = await host.boot({ crashBudget: { crashes: 2, windowMs: 60_000 } });
      await eventually(() => expect(plugins.info('faulty').error?.code).toBe('PLUGIN_QUARANTINED'));
      await expectFailed(host, 'PLUGIN_QUARANTINED', /crashed 2 times within 60 s/);
      await expect(plugins.enable('faulty')).resolves.toMatchObject({ state: 'enabled' }); // forgiven: it runs until it crashes again
      await host.expectServing();
    },
  },
  {
    name: 'unbounded memory growth',
    tier: 'process',
    outcome: 'the process hits its heap limit; calls fail with `PLUGIN_CRASHED` ("ran out of memory"); restarted',
    async run(host) {
      addPlugin(
        host.tree,
        'faulty',
        'call() { const hog = []; for (;;) hog.push(new Array(100000).fill(Math.random())); }',
        { isolation: 'process' },
      );
      await host.boot({ isolation: { faulty: { tier: 'process', heapMb: 32 } } });
      await expect(reference(host).call()).rejects.toMatchObject({
        code: 'PLUGIN_CRASHED',
        message: expect.stringContaining('ran out of memory'),
      });
      await host.expectServing();
      await eventually(() => expect(host.plugins.info('faulty').state).toBe('enabled'));
    },
  },
  {
    name: 'process.exit() in a method',
    tier: 'process',
    outcome: 'calls in flight fail with `PLUGIN_CRASHED`; restarted; the host runs on',
    async run(host) {
      addPlugin(host.tree, 'faulty', 'call() { process.exit(4); }', { isolation: 'process' });
      await host.boot();
      await expect(reference(host).call()).rejects.toMatchObject({
        code: 'PLUGIN_CRASHED',
        message: expect.stringContaining('code 4'),
      });
      await host.expectServing();
      await eventually(() => expect(host.plugins.info('faulty').state).toBe('enabled'));
    },
  },
  {
    name: 'writes a file',
    tier: 'process',
    outcome: 'the call fails with `ERR_ACCESS_DENIED`; no file is written; the plugin stays enabled',
    async run(host) {
      const target = join(tmpdir(), `fault-write-${process.pid}.txt`);
      addPlugin(
        host.tree,
        'faulty',
        `call() { writeFileSync(${JSON.stringify(target)}, 'x'); }`,
        { isolation: 'process' },
        "import { writeFileSync } from 'node:fs';",
      );
      await host.boot();
      await expect(reference(host).call()).rejects.toMatchObject({ code: 'ERR_ACCESS_DENIED' });
      expect(existsSync(target)).toBe(false);
      expect(host.plugins.info('faulty').state).toBe('enabled');
      await host.expectServing();
    },
  },
  {
    name: 'spawns a child process',
    tier: 'process',
    outcome: 'the call fails with `ERR_ACCESS_DENIED`; nothing runs',
    async run(host) {
      addPlugin(
        host.tree,
        'faulty',
        "call() { return spawnSync('echo', ['escaped']).stdout?.toString(); }",
        { isolation: 'process' },
        "import { spawnSync } from 'node:child_process';",
      );
      await host.boot();
      await expect(reference(host).call()).rejects.toMatchObject({ code: 'ERR_ACCESS_DENIED' });
      await host.expectServing();
    },
  },
  {
    name: 'reads outside its folder',
    tier: 'process',
    outcome: 'the call fails with `ERR_ACCESS_DENIED`; its own files stay readable',
    async run(host) {
      const secret = host.tree.write('secret.txt', 'top secret');
      addPlugin(
        host.tree,
        'faulty',
        `call(own) { return readFileSync(own ? new URL('./package.json', import.meta.url) : ${JSON.stringify(secret)}, 'utf8').length; }`,
        { isolation: 'process' },
        "import { readFileSync } from 'node:fs';",
      );
      await host.boot();
      await expect(reference(host).call(false)).rejects.toMatchObject({ code: 'ERR_ACCESS_DENIED' });
      await expect(reference(host).call(true)).resolves.toBeGreaterThan(10);
      await host.expectServing();
    },
  },
  {
    name: 'reads outside its folder through a symlink it ships',
    tier: 'process',
    outcome: 'never started (Node would follow the link): `failed`, `PLUGIN_UNTRUSTED` naming the link',
    async run(host) {
      const secret = host.tree.write('secret.txt', 'top secret');
      addPlugin(
        host.tree,
        'faulty',
        `call() { return readFileSync(new URL('./escape/secret.txt', import.meta.url), 'utf8'); }`,
        { isolation: 'process' },
        "import { readFileSync } from 'node:fs';",
      );
      host.tree.link('plugins/faulty/escape', dirname(secret));
      await host.boot();
      await expectFailed(host, 'PLUGIN_UNTRUSTED', /ships symbolic links leading out of its package \(escape\)/);
    },
  },
];
