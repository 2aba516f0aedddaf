import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { PluginHooks, PluginManager, getPluginToken, type PluginModuleSyncOptions } from 'nestjs-plugin-host';
import { liveIsolates } from '../../libs/plugin-host/src/isolation/index.js';
import { activeResources } from '../faults/fault-host.js';
import { bootHost, type Host } from './fixtures.js';
import { PackageTree, REPO } from './package-tree.js';

/** A plugin package whose class body is `members`; it imports the library as a real plugin does. */
function isolatedPlugin(
  tree: PackageTree,
  name: string,
  members: string,
  manifest: Record<string, unknown> = {},
  prelude = '',
): void {
  tree.package(
    `plugins/${name}`,
    {
      name: `${name}-plugin`,
      nestPlugin: { name, type: 'custom', entry: './index.js', compatibility: '^0.1.0', ...manifest },
    },
    {
      'index.js': `import { OnHook, Plugin } from 'nestjs-plugin-host';
${prelude}
export class P {
${members}
}
Plugin({ name: ${JSON.stringify(name)}, type: 'custom', version: '1.0.0', inject: ['Greeter'] })(P);
`,
    },
  );
}

@Injectable()
class Greeter {
  greet(who: string): string {
    return `host greets ${who}`;
  }
}

describe('isolation tiers', () => {
  let host: Host | undefined;
  let tree: PackageTree | undefined;
  afterEach(async () => {
    await host?.close();
    host = undefined;
    tree?.remove();
    expect(liveIsolates.size).toBe(0); // no worker or process outlives the host
  });

  const boot = async (options: PluginModuleSyncOptions) => {
    host = await bootHost({
      discovery: { root: tree!.root },
      expose: ['Greeter'],
      module: { providers: [{ provide: 'Greeter', useClass: Greeter }] },
      ...options,
    });
    return host.moduleRef.get(PluginManager);
  };

  for (const tier of ['worker', 'process'] as const) {
    it(`closing the app waits until its ${tier} isolates have exited, one just killed for a hung call among them`, async () => {
      tree = new PackageTree(REPO);
      isolatedPlugin(tree, 'idle', '  ping() { return 1; }', { isolation: tier });
      isolatedPlugin(tree, 'busy', '  spin() { for (;;); }', { isolation: tier });
      const before = activeResources();
      const plugins = await boot({ isolation: { busy: { tier, callTimeoutMs: 300 } } });
      const busy = host!.moduleRef.get(getPluginToken('busy'));
      await expect(busy.spin()).rejects.toMatchObject({ code: 'PLUGIN_CRASHED' }); // killed; its restart is pending
      void busy.spin().catch(() => undefined);
      expect(plugins.info('idle').state).toBe('enabled');
      await host!.close();
      host = undefined;
      await new Promise((resolve) => setImmediate(() => setImmediate(resolve))); // Node frees a handle a loop turn after its exit event
      const left = [...activeResources()].filter(
        ([kind, count]) => kind !== 'Timeout' && kind !== 'TTYWrap' && count > (before.get(kind) ?? 0),
      );
      expect(left).toEqual([]); // close itself waited for the exits
    });

    it(`runs a plugin in a ${tier}: calls, config, hooks, health and host services through the same reference`, async () => {
      tree = new PackageTree(REPO);
      isolatedPlugin(
        tree,
        'remote',
        `  config = {};
  async initialize(config, ctx) { this.config = config; this.greeting = await ctx.get('Greeter').greet('remote'); }
  add(a, b) { return a + b + (this.config.offset ?? 0); }
  where() { return { pid: process.pid, greeting: this.greeting }; }
  healthCheck() { return { status: 'up', details: { isolated: true } }; }
  onDone(payload) { return 'done ' + payload.n; }`,
        {},
        '',
      );
      tree.write(
        'plugins/remote/index.js',
        tree
          .read('plugins/remote/index.js')
          .replace('Plugin({', "OnHook('work.done')(P.prototype, 'onDone');\nPlugin({"),
      );
      const plugins = await boot({
        isolation: { remote: tier },
        config: { remote: { offset: 10 } },
        hooks: ['work.done'],
      });
      expect(plugins.info('remote').state).toBe('enabled');
      const remote = host!.moduleRef.get<{
        add(a: number, b: number): Promise<number>;
        where(): Promise<{ pid: number; greeting: string }>;
      }>(getPluginToken('remote'));
      await expect(remote.add(1, 2)).resolves.toBe(13);
      const where = await remote.where();
      expect(where.greeting).toBe('host greets remote');
      if (tier === 'process') expect(where.pid).not.toBe(process.pid);
      else expect(where.pid).toBe(process.pid);
      await expect(host!.moduleRef.get(PluginHooks).call('work.done', { n: 3 })).resolves.toEqual([
        { plugin: 'remote', ok: true, value: 'done 3' },
      ]);
      await expect(plugins.disable('remote')).resolves.toMatchObject({ state: 'disabled' });
      await expect(remote.add(1, 1)).rejects.toMatchObject({ code: 'PLUGIN_DISABLED' });
      await expect(plugins.enable('remote')).resolves.toMatchObject({ state: 'enabled' });
      await expect(remote.add(2, 2)).resolves.toBe(14);
    }, 30_000);
  }
});
