import { expect } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Plugin } from 'nestjs-plugin-host';
import { addPlugin, type FaultHost } from '../faults/fault-host.js';
import type { SecurityCase } from './gate-cases.js';

type Called = { call(): unknown };

async function expectFailed(host: FaultHost, name: string, code: string, message: RegExp): Promise<void> {
  expect(host.plugins.info(name)).toMatchObject({ state: 'failed', error: { code } });
  expect(host.plugins.info(name).error?.message).toMatch(message);
  await host.expectServing();
}

/** A plugin package that answers `call()` with the config it was given. */
function configEcho(host: FaultHost, name: string): void {
  addPlugin(host.tree, name, 'initialize(config) { this.config = config; }\n  call() { return this.config; }');
}

/** Attacks through what a plugin or an operator declares: manifests, classes, names, config files. */
export const SECURITY_CASES: SecurityCase[] = [
  {
    name: 'manifest with "timeouts": null',
    area: 'manifest',
    outcome: '`failed`, `PLUGIN_MANIFEST_INVALID` naming `timeouts`; boot goes on',
    async run(host) {
      addPlugin(host.tree, 'faulty', '', { timeouts: null });
      await host.boot();
      await expectFailed(host, 'faulty', 'PLUGIN_MANIFEST_INVALID', /timeouts null must be an object/);
    },
  },
  {
    name: 'manifest with a name that is not a string',
    area: 'manifest',
    outcome: '`failed`, `PLUGIN_MANIFEST_INVALID` naming `name` (the package name is not used instead)',
    async run(host) {
      addPlugin(host.tree, 'faulty', '', { name: 42 });
      await host.boot();
      await expectFailed(host, 'faulty-plugin', 'PLUGIN_MANIFEST_INVALID', /name 42 must be a string/);
    },
  },
  {
    name: 'package plugin class with a then() method',
    area: 'manifest',
    outcome: '`failed`, `PLUGIN_MANIFEST_INVALID` (it would be awaited as a promise); boot goes on',
    async run(host) {
      addPlugin(host.tree, 'faulty', "then(resolve) { resolve('hijacked'); }\n  call() { return 1; }");
      await host.boot();
      await expectFailed(host, 'faulty', 'PLUGIN_MANIFEST_INVALID', /"then" member/);
    },
  },
  {
    name: 'class plugin with a then() method',
    area: 'manifest',
    outcome: '`failed`, `PLUGIN_MANIFEST_INVALID`; the reference is not a thenable; boot goes on',
    async run(host) {
      class Thenable {
        then(resolve: (value: unknown) => void): void {
          resolve('hijacked');
        }
      }
      Plugin({ name: 'thenable', type: 'custom', version: '1.0.0', compatibility: '^0.1.0' })(Thenable);
      await host.boot({ plugins: [Thenable] });
      await expectFailed(host, 'thenable', 'PLUGIN_MANIFEST_INVALID', /"then" member/);
      expect((host.reference<{ then?: unknown }>('thenable') as { then?: unknown }).then).toBeUndefined();
    },
  },
  {
    name: 'plugins named like Object.prototype members',
    area: 'names',
    outcome:
      '`toString` and `constructor` load and run like any name: no config, isolation rule or pin is found on the prototype',
    async run(host) {
      configEcho(host, 'toString');
      configEcho(host, 'constructor');
      await host.boot({ config: {}, isolation: {}, pluginTimeouts: {}, trust: { integrity: {} } });
      for (const name of ['toString', 'constructor']) {
        expect(host.plugins.info(name).state).toBe('enabled');
        expect(host.reference<Called>(name).call()).toEqual({});
      }
    },
  },
  {
    name: 'names that share an env prefix',
    area: 'names',
    outcome:
      "`json.report` and `json-report` are both `failed`, `PLUGIN_DUPLICATE` naming both and `PLUGIN_JSON_REPORT_`; neither reads the other's settings",
    async run(host) {
      configEcho(host, 'json.report');
      configEcho(host, 'json-report');
      await host.boot({ env: { PLUGIN_JSON_REPORT_WEBHOOK_URL: 'https://secret.example' } });
      for (const name of ['json.report', 'json-report']) {
        await expectFailed(
          host,
          name,
          'PLUGIN_DUPLICATE',
          /(?=.*"json\.report")(?=.*"json-report").*PLUGIN_JSON_REPORT_/,
        );
      }
    },
  },
  {
    name: 'names that differ only in case',
    area: 'names',
    outcome: '`evil` and `EVIL` are both `failed`, `PLUGIN_DUPLICATE`',
    async run(host) {
      addPlugin(host.tree, 'evil', '');
      host.tree.package('plugins/evil-upper', {
        name: 'evil-upper-plugin',
        nestPlugin: { name: 'EVIL', type: 'custom', entry: './index.js', compatibility: '^0.1.0' },
      });
      host.tree.write(
        'plugins/evil-upper/index.js',
        host.tree.read('plugins/evil/index.js').replace('name: "evil"', 'name: "EVIL"'),
      );
      await host.boot();
      await expectFailed(host, 'evil', 'PLUGIN_DUPLICATE', /differ only in case/);
      await expectFailed(host, 'EVIL', 'PLUGIN_DUPLICATE', /differ only in case/);
    },
  },
  {
    name: "a plugin's env prefix inside another's",
    area: 'names',
    outcome: '`data` does not read `PLUGIN_DATA_SOURCE_*`, which belongs to `data-source`',
    async run(host) {
      configEcho(host, 'data');
      configEcho(host, 'data-source');
      await host.boot({
        config: { data: { sourceUrl: 'default' } },
        env: { PLUGIN_DATA_SOURCE_URL: 'https://secret.example' },
      });
      expect(host.reference<Called>('data').call()).toEqual({ sourceUrl: 'default' });
    },
  },
  {
    name: 'trust rules in another case',
    area: 'trust gate',
    outcome: '`deny: ["EVIL-*"]` refuses package `evil-plugin`: `failed`, `PLUGIN_UNTRUSTED`',
    async run(host) {
      addPlugin(host.tree, 'evil', '');
      await host.boot({ trust: { deny: ['EVIL-*'] } });
      await expectFailed(host, 'evil', 'PLUGIN_UNTRUSTED', /trust\.deny rule "EVIL-\*"/);
    },
  },
  {
    name: 'config file that is a FIFO',
    area: 'config',
    outcome: 'boot does not wait for a writer: `failed`, `PLUGIN_CONFIG_INVALID` ("not a regular file")',
    async run(host) {
      configEcho(host, 'faulty');
      const fifo = join(host.tree.root, 'config.fifo');
      execFileSync('mkfifo', [fifo]);
      await host.boot({ env: { PLUGIN_FAULTY_CONFIG: fifo } });
      await expectFailed(host, 'faulty', 'PLUGIN_CONFIG_INVALID', /not a regular file/);
    },
  },
  {
    name: 'config file that never ends',
    area: 'config',
    outcome:
      '`/dev/zero` is refused unread: `failed`, `PLUGIN_CONFIG_INVALID` ("not a regular file"); the host does not grow',
    async run(host) {
      configEcho(host, 'faulty');
      await host.boot({ env: { PLUGIN_FAULTY_CONFIG: '/dev/zero' } });
      await expectFailed(host, 'faulty', 'PLUGIN_CONFIG_INVALID', /not a regular file/);
    },
  },
  {
    name: 'config file nested very deep',
    area: 'config',
    outcome: '`failed`, `PLUGIN_CONFIG_INVALID` naming the depth; the merge never recurses into it',
    async run(host) {
      configEcho(host, 'faulty');
      const file = host.tree.write('deep.json', `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
      await host.boot({ env: { PLUGIN_FAULTY_CONFIG: file } });
      await expectFailed(host, 'faulty', 'PLUGIN_CONFIG_INVALID', /deeper than 32 levels/);
    },
  },
];
