import { afterEach, describe, expect, it } from '@jest/globals';
import { delimiter, join } from 'node:path';
import { PluginManager, PluginState, getPluginToken, type PluginDiscoveryOptions } from 'nestjs-plugin-host';
import { bootHost, type Host } from './fixtures.js';
import { PackageTree, importedPlugins, pluginModule } from './package-tree.js';

describe('package discovery (nestPlugin manifests)', () => {
  let host: Host | undefined;
  let tree: PackageTree;
  afterEach(async () => {
    await host?.close();
    host = undefined;
    tree?.remove();
  });

  const boot = async (discovery: PluginDiscoveryOptions = {}) => {
    host = await bootHost({ discovery: { root: tree.root, ...discovery } });
    return host.moduleRef.get(PluginManager);
  };

  it('finds the plugins declared by the host’s dependencies, in sorted order, and serves them', async () => {
    tree = new PackageTree()
      .host({ 'dep-zeta': '1.0.0', '@acme/dep-alpha': '1.0.0', 'not-a-plugin': '1.0.0' })
      .plugin('node_modules/dep-zeta', 'zeta')
      .plugin('node_modules/@acme/dep-alpha', 'alpha', { packageName: '@acme/dep-alpha', version: '2.1.0' })
      .package('node_modules/not-a-plugin', { name: 'not-a-plugin' })
      .plugin('node_modules/installed-not-listed', 'unlisted');
    // One package declaring two plugins.
    tree.package(
      'node_modules/dep-pair',
      {
        name: 'dep-pair',
        nestPlugin: [
          { name: 'pair-a', type: 'custom', entry: './a.js' },
          { name: 'pair-b', type: 'custom', entry: './b.js', export: 'Plugin_pair_b' },
        ],
      },
      { 'a.js': pluginModule('pair-a'), 'b.js': pluginModule('pair-b') },
    );
    tree.write('package.json', {
      name: 'test-host',
      dependencies: { 'dep-zeta': '1', '@acme/dep-alpha': '1', 'not-a-plugin': '1', 'dep-pair': '1' },
    });

    const plugins = await boot();
    expect(plugins.list().map((p) => p.name)).toEqual(['alpha', 'pair-a', 'pair-b', 'zeta']);
    expect(plugins.list().every((p) => p.state === PluginState.ENABLED)).toBe(true);
    const alpha = plugins.info('alpha');
    expect(alpha.version).toBe('2.1.0'); // the manifest's, not the class's 9.9.9
    expect(alpha.source).toMatchObject({
      kind: 'package',
      package: '@acme/dep-alpha',
      file: join(tree.root, 'node_modules/@acme/dep-alpha/package.json'),
    });
    const reference = host!.moduleRef.get(getPluginToken('zeta')) as {
      greet(who: string): Promise<string>;
      shout(): string;
      initialized: number;
    };
    await expect(reference.greet('you')).resolves.toBe('hello you from zeta');
    expect(reference.initialized).toBe(1);
    expect(importedPlugins()).not.toContain('unlisted');
  });

  it('walks the whole node_modules tree with scan: "node_modules", scoped and nested packages included', async () => {
    tree = new PackageTree()
      .host({})
      .plugin('node_modules/@scope/scoped', 'scoped', { packageName: '@scope/scoped' })
      .plugin('node_modules/outer', 'outer')
      .plugin('node_modules/outer/node_modules/inner', 'inner')
      .package('node_modules/.bin/ignored', {
        name: 'ignored',
        nestPlugin: { name: 'ignored', type: 'custom', entry: './x.js' },
      });

    const plugins = await boot({ scan: 'node_modules' });
    expect(plugins.list().map((p) => p.name)).toEqual(['scoped', 'outer', 'inner']);
    expect(plugins.list().map((p) => p.state)).toEqual(['enabled', 'enabled', 'enabled']);
  });

  it('reads plugin folders: ./plugins by default, plus PLUGIN_PATHS', async () => {
    tree = new PackageTree()
      .host({})
      .plugin('plugins/local-b', 'local-b')
      .plugin('plugins/local-a', 'local-a')
      .plugin('extra/one/x', 'from-env')
      .plugin('more/y', 'from-env-2');
    tree.write('plugins/not-a-package/readme.txt', 'just a folder');
    const saved = process.env.PLUGIN_PATHS;
    process.env.PLUGIN_PATHS = [join(tree.root, 'extra/one'), 'more', join(tree.root, 'missing')].join(delimiter);
    try {
      const plugins = await boot();
      expect(plugins.list().map((p) => `${p.name}:${p.source.kind}:${p.state}`)).toEqual([
        'local-a:path:enabled',
        'local-b:path:enabled',
        'from-env:path:enabled',
        'from-env-2:path:enabled',
      ]);
      expect(
        host!.logger
          .messages()
          .some(
            (line) =>
              line.startsWith('warn: plugin folder') && line.includes('missing') && line.includes('PLUGIN_PATHS'),
          ),
      ).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.PLUGIN_PATHS;
      else process.env.PLUGIN_PATHS = saved;
    }
  });

  it('keeps only included plugins and drops excluded ones (by plugin or package name, exclude wins), never importing them', async () => {
    tree = new PackageTree()
      .host({})
      .plugin('plugins/a', 'acme-alpha')
      .plugin('plugins/b', 'acme-beta')
      .plugin('plugins/c', 'other', { packageName: '@acme/other' })
      .plugin('plugins/d', 'unrelated');

    const plugins = await boot({ include: ['acme-*', '@acme/*'], exclude: ['*-beta'] });
    expect(plugins.list().map((p) => p.name)).toEqual(['acme-alpha', 'other']);
    expect(importedPlugins()).toContain('acme-alpha');
    expect(importedPlugins()).not.toContain('acme-beta');
    expect(importedPlugins()).not.toContain('unrelated');
  });

  it('lists a package reached twice (a workspace link and its folder) once', async () => {
    tree = new PackageTree().host({ linked: '1.0.0' }).plugin('plugins/linked', 'linked');
    tree.link('node_modules/linked', join(tree.root, 'plugins/linked'));
    const plugins = await boot();
    expect(plugins.list().map((p) => `${p.name}:${p.source.kind}`)).toEqual(['linked:package']);
  });

  it('refuses two packages declaring the same plugin name, importing neither', async () => {
    tree = new PackageTree()
      .host({})
      .plugin('plugins/one', 'twin-dup', { packageName: 'twin-one' })
      .plugin('plugins/two', 'twin-dup', { packageName: 'twin-two' });
    const plugins = await boot();
    expect(plugins.info('twin-dup')).toMatchObject({ state: 'failed', error: { code: 'PLUGIN_DUPLICATE' } });
    expect(plugins.info('twin-dup').error!.message).toContain('twin-one');
    expect(plugins.info('twin-dup').error!.message).toContain('twin-two');
    expect(importedPlugins()).not.toContain('twin-dup');
  });

  it('never imports a package whose compatibility excludes the host version', async () => {
    tree = new PackageTree()
      .host({})
      .plugin('plugins/future', 'future-only', { compatibility: '>=9.0.0' })
      .plugin('plugins/fine', 'fine-now');
    const plugins = await boot();
    expect(plugins.info('future-only')).toMatchObject({ state: 'failed', error: { code: 'PLUGIN_INCOMPATIBLE' } });
    expect(importedPlugins()).not.toContain('future-only');
    expect(importedPlugins()).toContain('fine-now');
    expect(plugins.info('fine-now').state).toBe('enabled');
  });

  it('builds the same order on two boots of the same tree', async () => {
    tree = new PackageTree()
      .host({ d2: '1', d1: '1' })
      .plugin('node_modules/d2', 'd-two')
      .plugin('node_modules/d1', 'd-one')
      .plugin('plugins/p2', 'p-two')
      .plugin('plugins/p1', 'p-one');
    const first = (await boot()).list().map((p) => p.name);
    await host!.close();
    const second = (await boot()).list().map((p) => p.name);
    expect(first).toEqual(['d-one', 'd-two', 'p-one', 'p-two']);
    expect(second).toEqual(first);
  });
});
