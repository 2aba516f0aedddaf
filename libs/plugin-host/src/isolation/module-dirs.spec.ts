import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { linkedDependencies } from './module-dirs.js';

describe('linkedDependencies (what a process-tier plugin may read besides node_modules)', () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'module-dirs-')));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const file = (path: string, value: unknown) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), JSON.stringify(value));
  };
  const link = (target: string, path: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    symlinkSync(target.startsWith('/') ? target : join(root, target), join(root, path));
  };

  file('libs/linked/package.json', { name: '@scope/linked' });
  file('secret/package.json', { name: 'own' });
  file('installed/package.json', { name: 'renamed' });
  link('libs/linked', 'node_modules/@scope/linked'); // a workspace link the host's npm made
  link('/', 'node_modules/evil'); // a link to the whole disk
  link('installed', 'node_modules/mismatch'); // a folder whose package.json names another package
  file('node_modules/plain/package.json', { name: 'plain' }); // installed in node_modules: readable already
  link('secret', 'plugins/p/node_modules/own'); // a link the plugin package ships itself
  file('plugins/p/package.json', {
    name: 'p',
    dependencies: {
      '@scope/linked': '1',
      evil: '1',
      mismatch: '1',
      plain: '1',
      own: '1',
      '../../secret': '1',
      '@x/../../secret': '1',
    },
  });

  it('grants the real folder of a linked dependency, and nothing a package name, a shipped link or a renamed folder could point to', () => {
    expect(linkedDependencies(join(root, 'plugins/p'))).toEqual([join(root, 'libs/linked')]);
  });

  it('grants nothing for a package without a readable package.json', () => {
    expect(linkedDependencies(join(root, 'nowhere'))).toEqual([]);
  });
});
