import { afterEach, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PackageTree, REPO } from './package-tree.js';

const run = promisify(execFile);

// A plugin class in either module system; `format` says which file of a dual package was loaded.
const pluginBody = (format: string, name: string) => `class P {
  format() { return '${format}'; }
  fail() { throw new PluginError('PLUGIN_CONFIG_INVALID', 'from the plugin', { plugin: '${name}' }); }
  healthCheck() { return { status: 'up' }; }
}
Plugin({ name: '${name}', type: 'custom', version: '1.0.0' })(P);`;
const esmPlugin = (name: string, format = 'import') =>
  `import { Plugin, PluginError } from 'nestjs-plugin-host';\n${pluginBody(format, name)}\nexport { P };\n`;
const cjsPlugin = (name: string, format = 'require') =>
  `const { Plugin, PluginError } = require('nestjs-plugin-host');\n${pluginBody(format, name)}\nmodule.exports = { P };\n`;

// The host: boots PluginModule with discovery over the tree, calls each plugin, and prints what it saw.
const hostBody = `
  class AppModule {}
  Module({ imports: [PluginModule.forRoot({ discovery: { scan: 'none', paths: ['plugins'] }, hostVersion: '0.1.0' })] })(AppModule);
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  const plugins = app.get(PluginManager);
  const out = {};
  for (const name of ['esm-only', 'cjs-only', 'dual']) {
    const plugin = app.get(getPluginToken(name));
    let error;
    try { plugin.fail(); } catch (e) { error = e; }
    out[name] = { state: plugins.info(name).state, format: plugin.format(), isPluginError: error instanceof PluginError, code: error?.code };
  }
  // A reload takes the plugin's files as they are now, in either build.
  const file = require('node:path').join(process.env.TREE, 'plugins/cjs-only/index.js');
  require('node:fs').writeFileSync(file, require('node:fs').readFileSync(file, 'utf8').replace("return 'require'", "return 'reloaded'"));
  await plugins.reload('cjs-only');
  out.reloaded = app.get(getPluginToken('cjs-only')).format();
  await app.close();
  console.log(JSON.stringify(out));
`;
const esmHost = `import 'reflect-metadata';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PluginError, PluginManager, PluginModule, getPluginToken } from 'nestjs-plugin-host';
${hostBody}`;
const cjsHost = `require('reflect-metadata');
const { Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { PluginError, PluginManager, PluginModule, getPluginToken } = require('nestjs-plugin-host');
(async () => {${hostBody}})().catch((error) => { console.error(error); process.exit(1); });`;

// Real Node processes over the built library (dist and dist-cjs), as apps load it: Jest's module system is not involved.
// Started from `/`: discovery's root is the host's folder, found from its script.
describe('one library, two module systems', () => {
  let tree: PackageTree | undefined;
  afterEach(() => tree?.remove());

  function plugins(): PackageTree {
    tree = new PackageTree(REPO).host(); // the app's package.json: discovery's root, found from the host script
    tree.package(
      'plugins/esm-only',
      { name: 'esm-only', nestPlugin: { name: 'esm-only', type: 'custom', entry: './index.js' } },
      { 'index.js': esmPlugin('esm-only') },
    );
    tree.write('plugins/cjs-only/package.json', {
      name: 'cjs-only',
      version: '1.0.0',
      nestPlugin: { name: 'cjs-only', type: 'custom', entry: './index.js' },
    });
    tree.write('plugins/cjs-only/index.js', cjsPlugin('cjs-only'));
    tree.package(
      'plugins/dual',
      {
        name: 'dual',
        nestPlugin: { name: 'dual', type: 'custom', entry: { import: './index.mjs', require: './index.cjs' } },
      },
      { 'index.mjs': esmPlugin('dual'), 'index.cjs': cjsPlugin('dual') },
    );
    return tree;
  }

  const expected = (format: 'import' | 'require') => {
    const seen = { state: 'enabled', isPluginError: true, code: 'PLUGIN_CONFIG_INVALID' };
    return {
      'esm-only': { ...seen, format: 'import' },
      'cjs-only': { ...seen, format: 'require' },
      dual: { ...seen, format },
      reloaded: 'reloaded',
    };
  };

  it('an ES-module host runs ES, CommonJS and dual plugins, picks the import entry of a dual one, PluginError matches across copies, and a reload takes new code', async () => {
    const host = plugins().write('host.mjs', esmHost);
    const { stdout } = await run(process.execPath, [host], { cwd: '/', env: { ...process.env, TREE: tree!.root } });
    expect(JSON.parse(stdout)).toEqual(expected('import'));
  });

  it('a CommonJS host runs the same plugins, picks the require entry of a dual one, and a reload takes new code (require.cache)', async () => {
    const host = plugins().write('host.cjs', cjsHost);
    const { stdout } = await run(process.execPath, ['--disable-warning=ExperimentalWarning', host], {
      cwd: '/',
      env: { ...process.env, TREE: tree!.root },
    });
    expect(JSON.parse(stdout)).toEqual(expected('require'));
  });
});
