import { afterEach, describe, expect, it } from '@jest/globals';
import { LIBRARY_VERSION, PluginManager } from 'nestjs-plugin-host';
import { bootHost, CallLog, makePlugin, type Host } from './fixtures.js';

describe('compatibility', () => {
  let host: Host | undefined;
  afterEach(async () => {
    await host?.close();
    host = undefined;
  });
  const info = (name: string) => host!.moduleRef.get(PluginManager).info(name);

  it('refuses an incompatible plugin before loading it, with both versions in the message', async () => {
    const log = new CallLog();
    host = await bootHost({
      hostVersion: '0.1.0',
      plugins: [makePlugin({ name: 'future', version: '3.0.0', compatibility: '^2.0.0' }, log)],
    });
    expect(info('future').error?.code).toBe('PLUGIN_INCOMPATIBLE');
    expect(info('future').error?.message).toContain('plugin "future"@3.0.0 requires host ^2.0.0 but the host is 0.1.0');
    expect(log.entries).toEqual([]); // never instantiated
  });

  it('loads a plugin listed in acceptIncompatible, with a warning', async () => {
    const log = new CallLog();
    host = await bootHost({
      acceptIncompatible: ['future'],
      plugins: [makePlugin({ name: 'future', compatibility: '^2.0.0' }, log)],
    });
    expect(info('future').state).toBe('enabled');
    expect(info('future').warnings.join()).toContain('loading it anyway because it is listed in acceptIncompatible');
    expect(host.logger.messages().join('\n')).toMatch(
      /warn: plugin "future"@1\.0\.0 requires host \^2\.0\.0 but the host is 0\.1\.0/,
    );
  });

  it('warns about a plugin with no compatibility range and loads it', async () => {
    const log = new CallLog();
    host = await bootHost({ plugins: [makePlugin({ name: 'loose', compatibility: undefined }, log)] });
    expect(info('loose').state).toBe('enabled');
    expect(info('loose').warnings.join()).toContain('declares no compatibility range');
  });

  it('checks against the library version when no hostVersion is given', async () => {
    const log = new CallLog();
    host = await bootHost({
      hostVersion: undefined,
      plugins: [
        makePlugin({ name: 'current', compatibility: `^${LIBRARY_VERSION}` }, log),
        makePlugin({ name: 'older', compatibility: '<0.0.1' }, log),
      ],
    });
    expect(info('current').state).toBe('enabled');
    expect(info('older').error?.message).toContain(`but the host is ${LIBRARY_VERSION}`);
  });

  it('reports an invalid semver declaration as PLUGIN_MANIFEST_INVALID with every bad field', async () => {
    const log = new CallLog();
    host = await bootHost({
      plugins: [
        makePlugin({ name: 'sloppy', version: 'latest', compatibility: 'soon', dependencies: { db: 'any' } }, log),
      ],
    });
    const message = info('sloppy').error?.message ?? '';
    expect(info('sloppy').error?.code).toBe('PLUGIN_MANIFEST_INVALID');
    expect(message).toContain('version "latest" must be a semver version');
    expect(message).toContain('compatibility "soon" must be a semver range');
    expect(message).toContain('dependencies.db "any" must be a semver range');
    expect(log.entries).toEqual([]);
  });

  it('stops bootstrap on an invalid hostVersion with PLUGIN_OPTIONS_INVALID', async () => {
    await expect(bootHost({ hostVersion: 'v-next', plugins: [] })).rejects.toThrow(
      /PLUGIN_OPTIONS_INVALID: .*hostVersion "v-next" must be a semver version/,
    );
  });
});
