import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO } from './package-tree.js';

const run = promisify(execFile);

// What a real Node process loads (require.cache) after requiring the built library, and after booting an app with one
// in-process plugin that has no config schema. The CommonJS build is watched because require.cache lists every file;
// the ES-module build is the same graph (both come from one source). BENCHMARKS.md (import-cost) has the times.
async function loadedFiles(boot: boolean): Promise<string[]> {
  const script = `
    require('reflect-metadata');
    const { Module } = require('@nestjs/common');
    const { NestFactory } = require('@nestjs/core');
    const host = require('nestjs-plugin-host');
    (async () => {
      if (${boot}) {
        class OnePlugin { initialize() {} }
        host.Plugin({ name: 'one', type: 'custom', version: '1.0.0', compatibility: '^0.1.0' })(OnePlugin);
        class AppModule {}
        Module({ imports: [host.PluginModule.forRoot({ plugins: [OnePlugin], env: {} })] })(AppModule);
        const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
        if (app.get(host.PluginManager).info('one').state !== 'enabled') throw new Error('the plugin did not start');
        await app.close();
      }
      console.log(JSON.stringify(Object.keys(require.cache)));
    })().catch((error) => { console.error(error); process.exit(1); });`;
  const { stdout } = await run(process.execPath, ['--disable-warning=ExperimentalWarning', '-e', script], {
    cwd: REPO,
  });
  return (JSON.parse(stdout) as string[]).map((file) => file.replace(/\\/g, '/'));
}

const libraryFiles = (files: string[], pattern: RegExp) =>
  files.filter((file) => /\/libs\/plugin-host\/dist-cjs\//.test(file) && pattern.test(file));
const packages = (files: string[], names: string[]) =>
  names.filter((name) => files.some((file) => file.includes(`/node_modules/${name}/`)));

describe('what importing the library costs', () => {
  it('importing it loads none of what only a booting app needs, nor the admin routes, Terminus, class-validator, class-transformer or semver', async () => {
    const files = await loadedFiles(false);
    expect(
      libraryFiles(
        files,
        /\/dist-cjs\/(boot\.js|lifecycle\/(?!run-phase|startup-timing)|gate\/|isolation\/|trust\/|admin\/|registry\/plugin-registry|injection\/plugin-references)/,
      ),
    ).toEqual([]);
    expect(libraryFiles(files, /\/(plugin-health-checks|hook-runner|registry-plugin-manager)\.js$/)).toEqual([]);
    expect(packages(files, ['@nestjs/terminus', 'class-validator', 'class-transformer', 'semver'])).toEqual([]);
  });

  it('a boot with in-process plugins and no config schema loads no isolate code, no admin routes and no class-validator', async () => {
    const files = await loadedFiles(true);
    expect(libraryFiles(files, /\/dist-cjs\/lifecycle\/lifecycle-runner\.js$/)).toHaveLength(1); // it did boot
    expect(
      libraryFiles(files, /\/isolation\/(isolated-plugin|frames|memory-guard|isolation-protocol)\.js$|\/admin\//),
    ).toEqual([]);
    expect(packages(files, ['@nestjs/terminus', 'class-validator', 'class-transformer'])).toEqual([]);
  });
});
