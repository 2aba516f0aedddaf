import { describe, expect, it } from '@jest/globals';
import { validatePluginMetadata } from './manifest-validation.js';
import type { PluginMetadata } from './plugin-metadata.interface.js';

const valid: PluginMetadata = {
  name: 'pyod',
  type: 'algorithm',
  version: '1.2.0',
  compatibility: '^0.1.0',
  dependencies: { csv: '^1.0.0' },
};

describe('validatePluginMetadata', () => {
  it('accepts a complete declaration, and custom types', () => {
    expect(validatePluginMetadata(valid, 'here')).toBeUndefined();
    expect(validatePluginMetadata({ ...valid, type: 'notifier' }, 'here')).toBeUndefined();
  });

  it('lists every problem at once, with where the declaration is', () => {
    const error = validatePluginMetadata(
      { name: 'bad name', type: '', version: '1', timeouts: { initialize: -1, boot: 5 } } as never,
      'class X in plugins[0]',
    );
    expect(error?.code).toBe('PLUGIN_MANIFEST_INVALID');
    expect(error?.message).toContain('(class X in plugins[0])');
    expect(error?.details?.problems).toEqual([
      'name "bad name" must be a string of letters, digits, ".", "_" or "-"',
      'type "" must be a non-empty string such as "algorithm"',
      'version "1" must be a semver version such as "1.2.0"',
      'timeouts.initialize must be a positive number of milliseconds',
      'timeouts.boot is not a phase (use initialize, cleanup, healthCheck, hook)',
    ]);
  });

  it('reserves the name "status" (a key of the health result)', () => {
    expect(validatePluginMetadata({ ...valid, name: 'status' }, 'here')?.message).toContain(
      'name "status" is reserved',
    );
  });

  it('checks requires and optionalRequires entries', () => {
    expect(
      validatePluginMetadata(
        { ...valid, requires: ['onnxruntime-node@>=1.16'], optionalRequires: [{ package: 'gpu@^1', feature: 'GPU' }] },
        'here',
      ),
    ).toBeUndefined();
    expect(
      validatePluginMetadata(
        { ...valid, requires: ['ok@^1', 'bad@soon'], optionalRequires: [{ package: 7 }] } as never,
        'here',
      )?.details?.problems,
    ).toEqual([
      'requires[1] "bad@soon" has no valid semver range after "@" (e.g. "bad@^1.0.0")',
      'optionalRequires[0] 7 must be a string such as "onnxruntime-node@>=1.16"',
    ]);
    expect(validatePluginMetadata({ ...valid, requires: 'x' } as never, 'here')?.details?.problems).toEqual([
      'requires must be an array of "package@range" strings',
    ]);
  });
});
