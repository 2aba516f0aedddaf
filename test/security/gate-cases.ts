import { expect } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageIntegrity } from '../../libs/plugin-host/src/trust/index.js';
import { addPlugin, eventually, type FaultHost } from '../faults/fault-host.js';

/** One attack on the checks that guard a plugin's code (the one gate, manifests, names, config). The README's table lists the same cases. */
export interface SecurityCase {
  name: string;
  area: string;
  outcome: string;
  run(host: FaultHost): Promise<void>;
}

const markerOf = (name: string): string =>
  `globalThis.__gateImports = [...(globalThis.__gateImports ?? []), ${JSON.stringify(name)}];`;
const imported = (): string[] => ((globalThis as Record<string, unknown>).__gateImports as string[] | undefined) ?? [];
type Called = { call(...args: unknown[]): unknown };
type Located = { where(): Promise<{ pid: number; main: boolean }> };
const WHERE =
  "async where() { const { isMainThread } = await import('node:worker_threads'); return { pid: process.pid, main: isMainThread }; }";

/** A package plugin whose entry is missing at boot (not built yet): it fails there, and `build()` writes the entry. */
function unbuiltPlugin(host: FaultHost, marker: string): { build(): void } {
  addPlugin(host.tree, 'faulty', WHERE, {}, markerOf(marker));
  const code = host.tree.read('plugins/faulty/index.js');
  rmSync(join(host.tree.root, 'plugins/faulty/index.js'));
  return { build: () => void host.tree.write('plugins/faulty/index.js', code) };
}

async function expectRefused(
  host: FaultHost,
  operation: Promise<unknown>,
  code: string,
  message: RegExp,
  name = 'faulty',
): Promise<void> {
  await expect(operation).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
  const info = host.plugins.info(name);
  expect(info.state).not.toBe('enabled');
  await host.expectServing();
}

/** A plugin package whose module records its import under `marker`; `members` is its class body. */
function markedPlugin(
  host: FaultHost,
  marker: string,
  members = "call() { return 'v1'; }",
  manifest: Record<string, unknown> = {},
): string {
  addPlugin(host.tree, 'faulty', members, manifest, markerOf(marker));
  return join(host.tree.root, 'plugins/faulty');
}

export const SECURITY_CASES: SecurityCase[] = [
  {
    name: 'enable a plugin the deny rule refused',
    area: 'trust gate',
    outcome: 'enable rejects with `PLUGIN_UNTRUSTED` naming the rule; the plugin is never imported',
    async run(host) {
      markedPlugin(host, 'deny-enable');
      await host.boot({ trust: { deny: ['faulty-*'] } });
      await expectRefused(host, host.plugins.enable('faulty'), 'PLUGIN_UNTRUSTED', /trust\.deny rule "faulty-\*"/);
      expect(imported()).not.toContain('deny-enable');
    },
  },
  {
    name: 'enable a plugin not on the allow list',
    area: 'trust gate',
    outcome: 'enable rejects with `PLUGIN_UNTRUSTED`; never imported, never run in-process',
    async run(host) {
      markedPlugin(host, 'allow-enable');
      await host.boot({ trust: { allow: ['bystander'] } });
      await expectRefused(host, host.plugins.enable('faulty'), 'PLUGIN_UNTRUSTED', /not on trust\.allow/);
      expect(imported()).not.toContain('allow-enable');
    },
  },
  {
    name: 'enable a plugin refused for its integrity, then restore its files',
    area: 'trust gate',
    outcome:
      'enable rejects with `PLUGIN_UNTRUSTED` and both digests while the files differ; once restored, enable imports and runs it',
    async run(host) {
      const dir = markedPlugin(host, 'integrity-enable');
      const pinned = packageIntegrity(dir);
      const original = host.tree.read('plugins/faulty/index.js');
      host.tree.write('plugins/faulty/index.js', `${original}\n// tampered\n`);
      await host.boot({ trust: { integrity: { 'faulty-plugin': pinned } } });
      await expectRefused(host, host.plugins.enable('faulty'), 'PLUGIN_UNTRUSTED', /expected sha512-.*found sha512-/);
      expect(imported()).not.toContain('integrity-enable');
      host.tree.write('plugins/faulty/index.js', original);
      await host.plugins.enable('faulty');
      expect(host.plugins.info('faulty').state).toBe('enabled');
      expect(imported()).toContain('integrity-enable');
    },
  },
  {
    name: 'enable a class plugin the policy refused',
    area: 'trust gate',
    outcome: 'enable rejects with `PLUGIN_UNTRUSTED`; the class is never instantiated',
    async run(host) {
      let constructed = 0;
      const { Plugin } = await import('nestjs-plugin-host');
      class Refused {
        constructor() {
          constructed++;
        }
        call(): string {
          return 'ran';
        }
      }
      Plugin({ name: 'refused', type: 'custom', version: '1.0.0', compatibility: '^0.1.0' })(Refused);
      await host.boot({ plugins: [Refused], trust: { allow: ['bystander'] } });
      await expectRefused(host, host.plugins.enable('refused'), 'PLUGIN_UNTRUSTED', /not on trust\.allow/, 'refused');
      expect(constructed).toBe(0);
    },
  },
  {
    name: 'reload a pinned package edited after boot',
    area: 'trust gate',
    outcome:
      'reload rejects with `PLUGIN_UNTRUSTED`; the edited code is never imported; the old instance keeps serving',
    async run(host) {
      const dir = markedPlugin(host, 'reload-v1');
      await host.boot({ trust: { integrity: { 'faulty-plugin': packageIntegrity(dir) } } });
      host.tree.write(
        'plugins/faulty/index.js',
        host.tree.read('plugins/faulty/index.js').replace('reload-v1', 'reload-v2').replace("'v1'", "'v2'"),
      );
      await expect(host.plugins.reload('faulty')).rejects.toMatchObject({ code: 'PLUGIN_UNTRUSTED' });
      expect(imported()).not.toContain('reload-v2');
      expect(host.plugins.info('faulty').state).toBe('enabled');
      expect(host.reference<Called>('faulty').call()).toBe('v1');
    },
  },
  {
    name: 'first use of a lazy pinned package edited after boot',
    area: 'trust gate',
    outcome: 'the first call rejects with `PLUGIN_UNTRUSTED`; the edited code is never imported',
    async run(host) {
      const dir = markedPlugin(host, 'lazy-v1', "async call() { return 'v1'; }", { lazy: true });
      await host.boot({ trust: { integrity: { 'faulty-plugin': packageIntegrity(dir) } } });
      host.tree.write(
        'plugins/faulty/index.js',
        host.tree.read('plugins/faulty/index.js').replace('lazy-v1', 'lazy-v2'),
      );
      await expect(host.reference<Called>('faulty').call()).rejects.toMatchObject({ code: 'PLUGIN_UNTRUSTED' });
      expect(imported()).not.toContain('lazy-v2');
      expect(host.plugins.info('faulty')).toMatchObject({ state: 'failed', error: { code: 'PLUGIN_UNTRUSTED' } });
      await host.expectServing();
    },
  },
  {
    name: 'restart of a crashed isolate whose pinned files changed',
    area: 'trust gate',
    outcome: 'the restart is refused with `PLUGIN_UNTRUSTED`; the edited code never runs',
    async run(host) {
      const dir = markedPlugin(
        host,
        'isolate-v1',
        "async call() { return 'v1'; }\n  async die() { process.exit(3); }",
        { isolation: 'worker' },
      );
      await host.boot({ trust: { integrity: { 'faulty-plugin': packageIntegrity(dir) } } });
      await expect(host.reference<Called>('faulty').call()).resolves.toBe('v1');
      host.tree.write('plugins/faulty/index.js', host.tree.read('plugins/faulty/index.js').replace("'v1'", "'v2'"));
      await expect(host.reference<Called & { die(): Promise<void> }>('faulty').die()).rejects.toMatchObject({
        code: 'PLUGIN_CRASHED',
      });
      await eventually(() => expect(host.plugins.info('faulty').error?.code).toBe('PLUGIN_UNTRUSTED'));
      expect(host.plugins.info('faulty').state).toBe('failed');
      await host.expectServing();
    },
  },
  {
    name: 'pinned package whose entry is in its own node_modules',
    area: 'trust gate',
    outcome:
      '`failed`, `PLUGIN_UNTRUSTED`: a pin does not cover node_modules/, so the entry must not be there; never imported',
    async run(host) {
      const dir = markedPlugin(host, 'nested-entry', undefined, { entry: './node_modules/inner/index.js' });
      mkdirSync(join(dir, 'node_modules/inner'), { recursive: true });
      renameSync(join(dir, 'index.js'), join(dir, 'node_modules/inner/index.js'));
      await host.boot({ trust: { integrity: { 'faulty-plugin': packageIntegrity(dir) } } });
      expect(host.plugins.info('faulty')).toMatchObject({ state: 'failed', error: { code: 'PLUGIN_UNTRUSTED' } });
      expect(host.plugins.info('faulty').error?.message).toMatch(/node_modules/);
      expect(imported()).not.toContain('nested-entry');
      await host.expectServing();
    },
  },
  {
    name: 'pinned package with a symlinked folder leading outside it',
    area: 'trust gate',
    outcome:
      '`failed`, `PLUGIN_UNTRUSTED` naming the link: what it points at is not covered by the pin; nothing is imported',
    async run(host) {
      const dir = markedPlugin(host, 'linked-entry', 'call() { return helper(); }');
      host.tree.write(
        'plugins/faulty/index.js',
        `import { helper } from './lib/helper.js';\n${host.tree.read('plugins/faulty/index.js')}`,
      );
      host.tree.write('elsewhere/helper.js', `${markerOf('linked-helper')}\nexport const helper = () => 'outside';\n`);
      symlinkSync(join(host.tree.root, 'elsewhere'), join(dir, 'lib'));
      await host.boot({ trust: { integrity: { 'faulty-plugin': packageIntegrity(dir) } } });
      expect(host.plugins.info('faulty')).toMatchObject({ state: 'failed', error: { code: 'PLUGIN_UNTRUSTED' } });
      expect(host.plugins.info('faulty').error?.message).toMatch(/"lib".*outside/);
      expect(imported()).not.toContain('linked-helper');
      expect(imported()).not.toContain('linked-entry');
      await host.expectServing();
    },
  },
  {
    name: 'enable a plugin whose npm requirement is missing',
    area: 'trust gate',
    outcome: 'enable rejects with `PLUGIN_DEPENDENCY_MISSING` and the npm install hint before anything is imported',
    async run(host) {
      markedPlugin(host, 'requires-enable', undefined, { requires: ['surely-not-installed-pkg@^1.0.0'] });
      await host.boot();
      expect(host.plugins.info('faulty').error?.code).toBe('PLUGIN_DEPENDENCY_MISSING');
      await expectRefused(host, host.plugins.enable('faulty'), 'PLUGIN_DEPENDENCY_MISSING', /npm install/);
      expect(imported()).not.toContain('requires-enable');
    },
  },
  {
    name: "lazy plugin's entry swapped for a symlink leading outside after boot",
    area: 'trust gate',
    outcome:
      'the first call rejects with `PLUGIN_MANIFEST_INVALID` (entry leads outside the package); the outside file is never imported',
    async run(host) {
      const dir = markedPlugin(host, 'lazy-inside', "async call() { return 'inside'; }", { lazy: true });
      await host.boot();
      const outside = host.tree.write(
        'outside/evil.js',
        host.tree.read('plugins/faulty/index.js').replace('lazy-inside', 'lazy-outside'),
      );
      rmSync(join(dir, 'index.js'));
      symlinkSync(outside, join(dir, 'index.js'));
      await expect(host.reference<Called>('faulty').call()).rejects.toMatchObject({ code: 'PLUGIN_MANIFEST_INVALID' });
      expect(imported()).not.toContain('lazy-outside');
      await host.expectServing();
    },
  },
  {
    name: 'reload of an untrusted package that failed at boot',
    area: 'trust gate',
    outcome: 'with `untrusted: process`, a reload once it is built starts it in a child process, never in the host',
    async run(host) {
      const plugin = unbuiltPlugin(host, 'untrusted-reload');
      await host.boot({ trust: { allow: ['bystander'], untrusted: 'process' } });
      expect(host.plugins.info('faulty').error?.code).toBe('PLUGIN_MANIFEST_INVALID');
      plugin.build();
      await host.plugins.reload('faulty');
      expect(imported()).not.toContain('untrusted-reload');
      expect((await host.reference<Located>('faulty').where()).pid).not.toBe(process.pid);
    },
  },
  {
    name: 'reload of a process-tier plugin that failed at boot',
    area: 'trust gate',
    outcome: 'the host rule `isolation: { FAULTY: process }` (any case) holds on reload: it runs in a child process',
    async run(host) {
      const plugin = unbuiltPlugin(host, 'isolation-reload');
      await host.boot({ isolation: { FAULTY: 'process' } });
      plugin.build();
      await host.plugins.reload('faulty');
      expect(imported()).not.toContain('isolation-reload');
      expect((await host.reference<Located>('faulty').where()).pid).not.toBe(process.pid);
    },
  },
  {
    name: 'reload of a plugin refused as a lookalike name',
    area: 'trust gate',
    outcome: 'reload rejects with `PLUGIN_DUPLICATE`, as enable does; nothing is imported',
    async run(host) {
      addPlugin(host.tree, 'json.report', "call() { return 'a'; }", {}, markerOf('lookalike-a'));
      addPlugin(host.tree, 'json-report', "call() { return 'b'; }", {}, markerOf('lookalike-b'));
      await host.boot();
      await expectRefused(
        host,
        host.plugins.reload('json.report'),
        'PLUGIN_DUPLICATE',
        /PLUGIN_JSON_REPORT_/,
        'json.report',
      );
      expect(imported()).not.toContain('lookalike-a');
    },
  },
  {
    name: 'reload of a class plugin refused for its then() member',
    area: 'trust gate',
    outcome: 'reload rejects with `PLUGIN_MANIFEST_INVALID`; the class is never instantiated',
    async run(host) {
      let constructed = 0;
      const { Plugin } = await import('nestjs-plugin-host');
      class Thenable {
        constructor() {
          constructed++;
        }
        then(resolve: (value: unknown) => void): void {
          resolve('hijacked');
        }
      }
      Plugin({ name: 'thenable', type: 'custom', version: '1.0.0', compatibility: '^0.1.0' })(Thenable);
      await host.boot({ plugins: [Thenable] });
      await expectRefused(
        host,
        host.plugins.reload('thenable'),
        'PLUGIN_MANIFEST_INVALID',
        /"then" member/,
        'thenable',
      );
      expect(constructed).toBe(0);
    },
  },
  {
    name: 'pinned package with a symlink into its own .git/',
    area: 'trust gate',
    outcome: '`failed`, `PLUGIN_UNTRUSTED` naming the link: the file it points at is not covered by the pin',
    async run(host) {
      const dir = markedPlugin(host, 'git-link', 'call() { return helper(); }');
      host.tree.write(
        'plugins/faulty/index.js',
        `import { helper } from './helper.js';\n${host.tree.read('plugins/faulty/index.js')}`,
      );
      mkdirSync(join(dir, '.git'));
      writeFileSync(join(dir, '.git/helper.js'), "export const helper = () => 'pinned';\n");
      symlinkSync('.git/helper.js', join(dir, 'helper.js'));
      await host.boot({ trust: { integrity: { 'faulty-plugin': packageIntegrity(dir) } } });
      expect(host.plugins.info('faulty')).toMatchObject({ state: 'failed', error: { code: 'PLUGIN_UNTRUSTED' } });
      expect(host.plugins.info('faulty').error?.message).toMatch(
        /"helper\.js" \(a symlink leading outside the pinned files\)/,
      );
      expect(imported()).not.toContain('git-link');
      await host.expectServing();
    },
  },
  {
    name: 'pinned package holding a FIFO',
    area: 'trust gate',
    outcome:
      '`failed`, `PLUGIN_UNTRUSTED` naming it: what a FIFO gives is not pinned; nothing is read from it or imported',
    async run(host) {
      const dir = markedPlugin(host, 'fifo-helper');
      execFileSync('mkfifo', [join(dir, 'helper.js')]);
      await host.boot({ trust: { integrity: { 'faulty-plugin': packageIntegrity(dir) } } });
      expect(host.plugins.info('faulty')).toMatchObject({ state: 'failed', error: { code: 'PLUGIN_UNTRUSTED' } });
      expect(host.plugins.info('faulty').error?.message).toMatch(/"helper\.js" \(not a regular file\)/);
      expect(imported()).not.toContain('fifo-helper');
      await host.expectServing();
    },
  },
  {
    name: 'entry that is a FIFO',
    area: 'trust gate',
    outcome: 'boot does not wait for a writer: `failed`, `PLUGIN_MANIFEST_INVALID` ("not a regular file")',
    async run(host) {
      const dir = markedPlugin(host, 'fifo-entry', undefined, { isolation: 'worker' });
      rmSync(join(dir, 'index.js'));
      execFileSync('mkfifo', [join(dir, 'index.js')]);
      await host.boot();
      expect(host.plugins.info('faulty')).toMatchObject({
        state: 'failed',
        error: { code: 'PLUGIN_MANIFEST_INVALID' },
      });
      expect(host.plugins.info('faulty').error?.message).toMatch(/is not a regular file/);
      await host.expectServing();
    },
  },
  {
    name: 'module whose top level never finishes',
    area: 'trust gate',
    outcome: 'boot goes on: `failed`, `PLUGIN_TIMEOUT` after the initialize timeout',
    async run(host) {
      addPlugin(host.tree, 'faulty', "call() { return 'x'; }", {}, 'await new Promise(() => {});');
      await host.boot({ pluginTimeouts: { faulty: { initialize: 300 } } });
      expect(host.plugins.info('faulty')).toMatchObject({ state: 'failed', error: { code: 'PLUGIN_TIMEOUT' } });
      await host.expectServing();
    },
  },
  {
    name: 'option names in another case',
    area: 'names',
    outcome: '`disabled: ["OTHER"]` disables `other`; `isolation: { "FAUL*": process }` isolates `faulty`',
    async run(host) {
      addPlugin(host.tree, 'faulty', WHERE);
      addPlugin(host.tree, 'other', "call() { return 'other'; }");
      await host.boot({ disabled: ['OTHER'], isolation: { 'FAUL*': 'process' } });
      expect(host.plugins.info('other').state).toBe('disabled');
      expect((await host.reference<Located>('faulty').where()).pid).not.toBe(process.pid);
      await host.expectServing();
    },
  },
];
