import { describe, expect, it } from '@jest/globals';
import { createNameFilter, wildcardToRegExp } from './name-filter.js';

describe('include / exclude wildcards', () => {
  it('matches * as any run of characters and everything else literally', () => {
    expect(wildcardToRegExp('@acme/*').test('@acme/pyod')).toBe(true);
    expect(wildcardToRegExp('py.d').test('pyod')).toBe(false);
    expect(wildcardToRegExp('*-beta').test('acme-beta')).toBe(true);
    expect(wildcardToRegExp('*-beta').test('acme-beta2')).toBe(false);
  });

  it('keeps everything without an include list, lets exclude win, and matches plugin or package name', () => {
    expect(createNameFilter(undefined, undefined)('any', 'pkg')).toBe(true);
    const accepted = createNameFilter(['acme-*', '@acme/*'], ['*-beta']);
    expect(accepted('acme-alpha', 'unrelated')).toBe(true);
    expect(accepted('other', '@acme/other')).toBe(true);
    expect(accepted('acme-beta', '@acme/beta')).toBe(false);
    expect(accepted('stranger', 'stranger')).toBe(false);
    expect(createNameFilter([], undefined)('any')).toBe(false);
  });
});
