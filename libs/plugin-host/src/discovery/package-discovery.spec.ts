import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appRoot, discoverPackages, discoveryLine } from './package-discovery.js';

describe('the default discovery root', () => {
  let dir: string;
  const file = (path: string, text = '{}') => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is the nearest folder with a package.json above the script Node started, whatever the working directory', () => {
    dir = mkdtempSync(join(tmpdir(), 'app-root-'));
    file('app/package.json');
    file('app/dist/main.js', '');
    expect(appRoot(join(dir, 'app/dist/main.js'), '/')).toBe(join(dir, 'app'));
  });

  it("skips a tool's own package (Jest, the Nest CLI): the project that installed it", () => {
    dir = mkdtempSync(join(tmpdir(), 'app-root-'));
    file('app/package.json');
    file('app/node_modules/jest/package.json');
    file('app/node_modules/jest/bin/jest.js', '');
    expect(appRoot(join(dir, 'app/node_modules/jest/bin/jest.js'), '/')).toBe(join(dir, 'app'));
  });

  it('is the working directory without a script (a REPL, node -e) or without any package.json above it', () => {
    dir = mkdtempSync(join(tmpdir(), 'app-root-'));
    expect(appRoot('', '/somewhere')).toBe('/somewhere'); // process.argv[1] is empty
    file('loose/script.js', '');
    expect(appRoot(join(dir, 'loose/script.js'), '/somewhere')).toBe('/somewhere');
  });

  it('says where discovery looked and what it found in one line', () => {
    dir = mkdtempSync(join(tmpdir(), 'app-root-'));
    file('package.json', JSON.stringify({ name: 'host', dependencies: { one: '1.0.0' } }));
    file(
      'node_modules/one/package.json',
      JSON.stringify({
        name: 'one',
        version: '1.0.0',
        nestPlugin: { name: 'one', type: 'custom', entry: './index.js' },
      }),
    );
    expect(discoveryLine(discoverPackages({ root: dir }, {}))).toBe(`discovery in ${dir} found 1 plugin package: one`);
    expect(discoveryLine(discoverPackages({ root: join(dir, 'node_modules') }, {}))).toMatch(
      /found no plugin packages \(set discovery.root to the app folder/,
    );
  });

  it('takes an entry per module system, { import, require }, and names what is wrong with one', () => {
    dir = mkdtempSync(join(tmpdir(), 'app-root-'));
    const plugin = (name: string, entry: unknown) =>
      file(
        `plugins/${name}/package.json`,
        JSON.stringify({ name, version: '1.0.0', nestPlugin: { name, type: 'custom', entry } }),
      );
    plugin('dual', { import: './dist/index.js', require: './dist-cjs/index.js' });
    plugin('outside', { import: './dist/index.js', require: '../elsewhere.js' });
    plugin('unknown', { import: './dist/index.js', browser: './web.js' });
    const found = discoverPackages({ root: dir, scan: 'none', paths: ['plugins'] }, {}).candidates;
    const byName = new Map(found.map((candidate) => [candidate.metadata?.name, candidate]));
    expect(byName.get('dual')?.package?.entryPath).toBe(join(dir, 'plugins/dual/dist/index.js')); // this is the ES build
    expect(byName.get('outside')?.error?.message).toMatch(
      /entry\.require "\.\.\/elsewhere\.js" points outside the package folder/,
    );
    expect(byName.get('unknown')?.error?.message).toMatch(
      /must have "import" and\/or "require" paths, and nothing else/,
    );
  });
});
