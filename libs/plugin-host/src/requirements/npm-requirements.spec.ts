import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRequirement } from '../manifest/requirement-spec.js';
import { checkRequirements, installCommand, installedVersion } from './npm-requirements.js';

describe('npm requirements', () => {
  const root = mkdtempSync(join(tmpdir(), 'requires-'));
  const install = (dir: string, name: string, version: string) => {
    mkdirSync(join(root, dir, 'node_modules', name), { recursive: true });
    writeFileSync(join(root, dir, 'node_modules', name, 'package.json'), JSON.stringify({ name, version }));
  };
  install('', 'shared', '1.0.0');
  install('', '@scope/lib', '2.3.4');
  install('plugin', 'shared', '2.0.0'); // nested copy wins for the plugin, as in Node's resolution
  mkdirSync(join(root, 'plugin/src'), { recursive: true });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('parses name@range, scoped names and bare names', () => {
    expect(parseRequirement('onnxruntime-node@>=1.16')).toEqual({
      spec: 'onnxruntime-node@>=1.16',
      name: 'onnxruntime-node',
      range: '>=1.16',
    });
    expect(parseRequirement('@scope/lib@^2')).toMatchObject({ name: '@scope/lib', range: '^2' });
    expect(parseRequirement('plain')).toMatchObject({ name: 'plain', range: '*' });
    expect(parseRequirement('x@not a range')).toMatch(/no valid semver range/);
    expect(parseRequirement('Bad Name@1')).toMatch(/npm package name/);
    expect(parseRequirement(42)).toMatch(/must be a string/);
  });

  it('finds the version Node would resolve from a folder, walking up', () => {
    expect(installedVersion('shared', join(root, 'plugin/src'))).toBe('2.0.0');
    expect(installedVersion('shared', root)).toBe('1.0.0');
    expect(installedVersion('@scope/lib', join(root, 'plugin'))).toBe('2.3.4');
    expect(installedVersion('absent', join(root, 'plugin'))).toBeUndefined();
  });

  it('checks ranges and builds the install command for what is unsatisfied', () => {
    const outcomes = checkRequirements(['shared@^2', '@scope/lib@^3', 'absent@>=1'], join(root, 'plugin'));
    expect(outcomes.map((o) => [o.requirement.name, o.found, o.satisfied])).toEqual([
      ['shared', '2.0.0', true],
      ['@scope/lib', '2.3.4', false],
      ['absent', undefined, false],
    ]);
    expect(installCommand(outcomes.filter((o) => !o.satisfied))).toBe('npm install "@scope/lib@^3" "absent@>=1"');
  });
});
