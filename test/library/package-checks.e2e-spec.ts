import { afterEach, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import {
  Plugin,
  PluginError,
  PluginManager,
  PluginState,
  getPluginToken,
  type PluginDiscoveryOptions,
  type PluginModuleSyncOptions,
} from 'nestjs-plugin-host';
import { bootHost, type Host } from './fixtures.js';
import { PackageTree, importedPlugins, pluginModule } from './package-tree.js';

describe('package plugin checks', () => {
  let host: Host | undefined;
  let tree: PackageTree;
  afterEach(async () => {
    await host?.close();
    host = undefined;
    tree?.remove();
  });

  const boot = async (discovery: PluginDiscoveryOptions = {}, options: PluginModuleSyncOptions = {}) => {
    host = await bootHost({ discovery: { root: tree.root, ...discovery }, ...options });
    return host.moduleRef.get(PluginManager);
  };

  describe('PLUGIN_MANIFEST_INVALID, with the file and the field', () => {
    it.each([
      [
        'bad JSON',
        (t: PackageTree) => t.write('plugins/bad-json/package.json', '{ "name": "bad-json", '),
        'bad-json',
        'package.json',
      ],
      [
        'missing name',
        (t: PackageTree) =>
          t.package(
            'plugins/no-name',
            { name: 'no-name-pkg', nestPlugin: { type: 'custom', entry: './index.js' } },
            { 'index.js': '' },
          ),
        'no-name-pkg',
        'name',
      ],
      [
        'missing type',
        (t: PackageTree) => t.plugin('plugins/no-type', 'no-type', { type: undefined }),
        'no-type',
        'type',
      ],
      [
        'missing entry',
        (t: PackageTree) => t.plugin('plugins/no-entry', 'no-entry', { entry: undefined }),
        'no-entry',
        'entry',
      ],
      [
        'an absolute entry',
        (t: PackageTree) => t.plugin('plugins/abs', 'abs-entry', { entry: '/etc/passwd' }),
        'abs-entry',
        'entry',
      ],
      [
        'an entry escaping the package',
        (t: PackageTree) =>
          t.write('outside.js', pluginModule('escaping')) &&
          t.plugin('plugins/esc', 'escaping', { entry: '../../outside.js' }),
        'escaping',
        'entry',
      ],
      [
        'an entry that does not exist',
        (t: PackageTree) => t.plugin('plugins/unbuilt', 'unbuilt', { entry: './dist/index.js' }),
        'unbuilt',
        'entry',
      ],
      [
        'a nestPlugin that is not an object',
        (t: PackageTree) => t.package('plugins/str', { name: 'str-pkg', nestPlugin: 'yes' }),
        'str-pkg',
        'nestPlugin',
      ],
      [
        'a bad compatibility range',
        (t: PackageTree) => t.plugin('plugins/badrange', 'bad-range', { compatibility: 'soon' }),
        'bad-range',
        'compatibility',
      ],
    ])('%s', async (_case, build, name, field) => {
      tree = new PackageTree().host({}).plugin('plugins/healthy', 'healthy');
      build(tree);
      const plugins = await boot();
      const info = plugins.info(name);
      expect(info.state).toBe(PluginState.FAILED);
      expect(info.error!.code).toBe('PLUGIN_MANIFEST_INVALID');
      expect(info.error!.message).toContain(join(tree.root, 'plugins'));
      expect(info.error!.message).toContain(field);
      expect(plugins.info('healthy').state).toBe(PluginState.ENABLED);
    });

    it('an entry that is a symlink to a file outside the package', async () => {
      tree = new PackageTree().host({}).plugin('plugins/linky', 'linky');
      tree.write('elsewhere/evil.js', pluginModule('linky'));
      tree.link('plugins/linky/evil.js', join(tree.root, 'elsewhere/evil.js'));
      tree.write('plugins/linky/package.json', {
        name: 'linky',
        version: '1.0.0',
        nestPlugin: { name: 'linky', type: 'custom', entry: './evil.js' },
      });
      const plugins = await boot();
      expect(plugins.info('linky')).toMatchObject({ state: 'failed', error: { code: 'PLUGIN_MANIFEST_INVALID' } });
      expect(plugins.info('linky').error!.message).toContain('symlink');
      expect(importedPlugins()).not.toContain('linky');
    });

    it('the class declares another name than the manifest', async () => {
      tree = new PackageTree().host({}).plugin('plugins/mismatch', 'manifest-name', {}, { declaredName: 'class-name' });
      const plugins = await boot();
      const { error } = plugins.info('manifest-name');
      expect(error!.code).toBe('PLUGIN_MANIFEST_INVALID');
      expect(error!.message).toContain('"class-name"');
      expect(error!.message).toContain(join(tree.root, 'plugins/mismatch/package.json'));
    });

    it('the named export does not exist', async () => {
      tree = new PackageTree().host({}).plugin('plugins/noexport', 'no-export', { export: 'Missing' });
      const plugins = await boot();
      expect(plugins.info('no-export').error).toMatchObject({ code: 'PLUGIN_MANIFEST_INVALID' });
      expect(plugins.info('no-export').error!.message).toContain('export "Missing" does not exist');
    });

    it('warns about unknown manifest fields (likely typos) without failing', async () => {
      tree = new PackageTree().host({}).plugin('plugins/typo', 'typo', { lasy: true });
      const plugins = await boot();
      expect(plugins.info('typo').state).toBe('enabled');
      expect(plugins.info('typo').warnings.join()).toContain('"lasy"');
    });
  });

  describe('lazy plugins', () => {
    const lazyTree = (members = '') =>
      new PackageTree()
        .host({})
        .plugin('plugins/lazy', 'lazy-one', { lazy: true }, { members: `${members}\n  static loads = 0;` })
        .plugin('plugins/eager', 'eager');

    it('are registered as discovered without importing them, and load on the first async call', async () => {
      tree = lazyTree();
      const plugins = await boot();
      expect(plugins.info('lazy-one')).toMatchObject({ state: 'discovered', lazy: true });
      expect(importedPlugins()).not.toContain('lazy-one');
      const health = await host!.moduleRef.get((await import('nestjs-plugin-host')).PluginHealthIndicator).check();
      expect(health.plugins['lazy-one']).toMatchObject({ status: 'up', state: 'discovered' });

      const reference = host!.moduleRef.get(getPluginToken('lazy-one')) as {
        greet(who: string): Promise<string>;
        shout(): string;
        initialized: number;
      };
      const [a, b, c] = await Promise.all([reference.greet('a'), reference.greet('b'), reference.greet('c')]);
      expect([a, b, c]).toEqual(['hello a from lazy-one', 'hello b from lazy-one', 'hello c from lazy-one']);
      expect(importedPlugins().filter((name) => name === 'lazy-one')).toHaveLength(1);
      expect(plugins.info('lazy-one').state).toBe('enabled');
      expect(plugins.get<{ initialized: number }>('lazy-one').initialized).toBe(1); // one shared initialization
      expect(reference.shout()).toBe('lazy-one!'); // synchronous now that it is loaded
    });

    it('fail a synchronous first call with PLUGIN_NOT_LOADED, and serve it after load()', async () => {
      tree = lazyTree();
      const plugins = await boot({ lazy: [] });
      const reference = host!.moduleRef.get(getPluginToken('lazy-one')) as { shout(): string };
      await expect(reference.shout()).rejects.toMatchObject({ code: 'PLUGIN_NOT_LOADED', plugin: 'lazy-one' });
      expect(() => plugins.get('lazy-one')).not.toThrow();
      await expect(plugins.load('lazy-one')).resolves.toMatchObject({ state: 'enabled' });
      expect(reference.shout()).toBe('lazy-one!');
    });

    it('can be made lazy by the host (discovery.lazy) and loaded with PluginManager.load', async () => {
      tree = new PackageTree().host({}).plugin('plugins/made-lazy', 'made-lazy');
      const plugins = await boot({ lazy: ['made-*'] });
      expect(plugins.info('made-lazy').state).toBe('discovered');
      expect(() => plugins.get('made-lazy')).toThrow(/lazy and not loaded yet/);
      await expect(Promise.all([plugins.load('made-lazy'), plugins.load('made-lazy')])).resolves.toHaveLength(2);
      expect(importedPlugins().filter((name) => name === 'made-lazy')).toHaveLength(1);
    });

    it('give their load failure to every waiting caller and show failed', async () => {
      tree = new PackageTree()
        .host({})
        .plugin(
          'plugins/lazy-bad',
          'lazy-bad',
          { lazy: true },
          { members: "async initialize() { throw new Error('no GPU'); }" },
        );
      const plugins = await boot();
      const reference = host!.moduleRef.get(getPluginToken('lazy-bad')) as { greet(who: string): Promise<string> };
      const outcomes = await Promise.allSettled([reference.greet('a'), reference.greet('b'), plugins.load('lazy-bad')]);
      for (const outcome of outcomes) {
        expect(outcome.status).toBe('rejected');
        expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(PluginError);
        expect((outcome as PromiseRejectedResult).reason).toMatchObject({ code: 'PLUGIN_INIT_FAILED' });
        expect(String((outcome as PromiseRejectedResult).reason.message)).toContain('no GPU');
      }
      expect(plugins.info('lazy-bad')).toMatchObject({ state: 'failed', error: { code: 'PLUGIN_INIT_FAILED' } });
    });

    it('are loaded at boot when an eager plugin depends on them', async () => {
      tree = new PackageTree()
        .host({})
        .plugin('plugins/base', 'lazy-base', { lazy: true })
        .plugin('plugins/user', 'eager-user', { dependencies: { 'lazy-base': '^1.0.0' } });
      const plugins = await boot();
      expect(plugins.info('lazy-base').state).toBe('enabled');
      expect(plugins.info('eager-user').state).toBe('enabled');
    });
  });

  describe('npm requirements', () => {
    const withInstalled = () =>
      new PackageTree()
        .host({})
        .package('node_modules/dep-ok', { name: 'dep-ok', version: '1.4.0' })
        .package('node_modules/dep-old', { name: 'dep-old', version: '1.0.0' })
        .package('node_modules/@scope/dep', { name: '@scope/dep', version: '3.0.0-rc.1' });

    it('start a plugin whose requires are installed in range', async () => {
      tree = withInstalled().plugin('plugins/ok', 'needs-ok', {
        requires: ['dep-ok@^1.2', '@scope/dep@>=3.0.0-rc.0', 'dep-old'],
      });
      expect((await boot()).info('needs-ok').state).toBe('enabled');
    });

    it('fail a plugin whose required package is missing, with the npm install command, never importing it', async () => {
      tree = withInstalled().plugin('plugins/missing', 'needs-missing', { requires: ['onnxruntime-node@>=1.16'] });
      const { error, state } = (await boot()).info('needs-missing');
      expect(state).toBe('failed');
      expect(error!.code).toBe('PLUGIN_DEPENDENCY_MISSING');
      expect(error!.message).toContain('onnxruntime-node@>=1.16 (not installed)');
      expect(error!.message).toContain('npm install "onnxruntime-node@>=1.16"');
      expect(importedPlugins()).not.toContain('needs-missing');
    });

    it('fail a plugin whose required package is out of range, saying what was found', async () => {
      tree = withInstalled().plugin('plugins/old', 'needs-new', { requires: ['dep-old@^2.0.0', 'dep-ok@^1'] });
      const { error } = (await boot()).info('needs-new');
      expect(error!.code).toBe('PLUGIN_DEPENDENCY_MISSING');
      expect(error!.message).toContain('dep-old@^2.0.0 (found 1.0.0)');
      expect(error!.message).toContain('npm install "dep-old@^2.0.0"');
      expect(error!.message).not.toContain('dep-ok');
    });

    it('only note a missing optional package, with what it would add', async () => {
      tree = withInstalled().plugin('plugins/opt', 'optional-user', {
        optionalRequires: [{ package: 'onnxruntime-gpu@>=1', feature: 'GPU inference' }, 'dep-ok@^1'],
      });
      const info = (await boot()).info('optional-user');
      expect(info.state).toBe('enabled');
      expect(info.warnings).toEqual([
        expect.stringContaining(
          'onnxruntime-gpu@>=1 (not installed) for GPU inference; to get it, run: npm install "onnxruntime-gpu@>=1"',
        ),
      ]);
    });

    it('check a class plugin’s @Plugin({ requires }) from the host folder', async () => {
      tree = withInstalled();
      @Plugin({
        name: 'class-needs',
        type: 'custom',
        version: '1.0.0',
        compatibility: '^0.1.0',
        requires: ['dep-ok@^1', 'dep-absent@^1'],
      })
      class ClassNeeds {}
      const plugins = await boot({ scan: 'none' }, { plugins: [ClassNeeds] });
      expect(plugins.info('class-needs').error!.message).toContain('dep-absent@^1 (not installed)');
      expect(plugins.info('class-needs').error!.message).not.toContain('dep-ok');
    });

    it('report the message of a plugin’s own checkRequirements()', async () => {
      tree = new PackageTree()
        .host({})
        .plugin(
          'plugins/py',
          'needs-python',
          {},
          {
            members:
              "checkRequirements() { return 'python3 with scikit-learn was not found: apt-get install python3-sklearn'; }",
          },
        )
        .plugin(
          'plugins/throws',
          'check-throws',
          {},
          { members: "async checkRequirements() { throw new Error('ffmpeg is not on PATH'); }" },
        )
        .plugin(
          'plugins/fine',
          'check-fine',
          {},
          { members: "checkedWith = '';\n  async checkRequirements(ctx) { this.checkedWith = ctx.name; }" },
        );
      const plugins = await boot();
      expect(plugins.info('needs-python')).toMatchObject({
        state: 'failed',
        error: { code: 'PLUGIN_DEPENDENCY_MISSING' },
      });
      expect(plugins.info('needs-python').error!.message).toContain('apt-get install python3-sklearn');
      expect(plugins.info('check-throws').error).toMatchObject({
        code: 'PLUGIN_DEPENDENCY_MISSING',
        message: expect.stringContaining('ffmpeg is not on PATH'),
      });
      expect(plugins.info('check-fine').state).toBe('enabled');
      expect(plugins.get<{ checkedWith: string; initialized: number }>('check-fine')).toMatchObject({
        checkedWith: 'check-fine',
        initialized: 1,
      });
      expect(plugins.get<{ initialized: number }>('check-fine').initialized).toBe(1);
      expect(() => plugins.get('needs-python')).toThrow(/PLUGIN_DISABLED/);
    });
  });
});
