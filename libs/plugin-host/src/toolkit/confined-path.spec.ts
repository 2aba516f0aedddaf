import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveInside } from './confined-path.js';

describe('resolveInside', () => {
  const base = mkdtempSync(join(tmpdir(), 'confined-'));
  const folder = join(base, 'data');
  mkdirSync(join(folder, 'sub'), { recursive: true });
  mkdirSync(join(base, 'secret'));
  symlinkSync(join(base, 'secret'), join(folder, 'escape'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('accepts paths inside the folder, existing or not', () => {
    expect(resolveInside(folder, 'a.csv')).toBe(join(folder, 'a.csv'));
    expect(resolveInside(folder, 'sub/../sub/b.csv')).toBe(join(folder, 'sub/b.csv'));
    expect(resolveInside(folder, 'new/dir/c.csv')).toBe(join(folder, 'new/dir/c.csv'));
  });

  it('compares path segments, not string prefixes: names that start with ".." are inside', () => {
    expect(resolveInside(folder, '..rt.csv')).toBe(join(folder, '..rt.csv'));
    expect(resolveInside(folder, 'sub/...csv')).toBe(join(folder, 'sub/...csv'));
  });

  it.each([
    ['../x.csv', /outside the folder/],
    ['sub/../../x.csv', /outside the folder/],
    ['/etc/passwd', /absolute/],
    ['escape/x.csv', /through a symlink/],
    ['', /required/],
    ['.', /outside the folder/],
    ['..', /outside the folder/],
    ['a.csv\0.png', /NUL byte/],
    ['../data-other/x.csv', /outside the folder/],
  ])('refuses %j', (path, message) => {
    expect(() => resolveInside(folder, path)).toThrow(message);
  });
});
