import { afterEach, describe, expect, it } from '@jest/globals';
import { Controller, Get, Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import {
  InjectPlugin,
  PluginError,
  PluginHooks,
  PluginManager,
  PluginModule,
  getPluginToken,
  type PluginEvent,
} from 'nestjs-plugin-host';
import { bootHost, CallLog, deferred, makePlugin, thrownBy, type Host } from './fixtures.js';
import { PackageTree } from './package-tree.js';

/** A package plugin whose `version()` answers `label`, so a test can edit the file and see the new code run. */
function versionedPlugin(label: string, extra = ''): string {
  return `import { OnHook, Plugin } from 'nestjs-plugin-host';
export class Versioned {
  initialized = 0;
  cleanedUp = 0;
  async initialize(config) { this.config = config; this.initialized++; ${extra} }
  async cleanup() { this.cleanedUp++; globalThis.__pluginEvents?.push('cleanup ${label}'); }
  version() { return ${JSON.stringify(label)}; }
  async slow(ms) { await new Promise((r) => setTimeout(r, ms)); globalThis.__pluginEvents?.push('slow ${label} done'); return ${JSON.stringify(label)}; }
}
OnHook('version.asked')(Versioned.prototype, 'version');
Plugin({ name: 'versioned', type: 'custom', version: '1.0.0' })(Versioned);
`;
}

describe('runtime management', () => {
  let host: Host | undefined;
  let tree: PackageTree | undefined;
  afterEach(async () => {
    await host?.close();
    host = undefined;
    tree?.remove();
    tree = undefined;
  });

  describe('enable and disable', () => {
    const boot = async (log: CallLog) => {
      host = await bootHost({
        plugins: [
          makePlugin({ name: 'base' }, log),
          makePlugin({ name: 'middle', dependencies: { base: '^1.0.0' } }, log),
          makePlugin({ name: 'top', dependencies: { middle: '^1.0.0' } }, log),
          makePlugin({ name: 'other' }, log),
        ],
      });
      return host.moduleRef.get(PluginManager);
    };

    it('disables dependents first (reverse order) and says so; calls then fail fast with PLUGIN_DISABLED', async () => {
      const log = new CallLog();
      const plugins = await boot(log);
      const base = host!.moduleRef.get<{ ping(): string }>(getPluginToken('base'));
      const result = await plugins.disable('base');
      expect(result).toMatchObject({ name: 'base', state: 'disabled', alsoDisabled: ['top', 'middle'] });
      expect(log.of('cleanup:')).toEqual(['cleanup:top', 'cleanup:middle', 'cleanup:base']);
      expect(plugins.info('other').state).toBe('enabled');
      expect(thrownBy(() => base.ping())).toMatchObject({ code: 'PLUGIN_DISABLED', plugin: 'base' });
    });

    it('enables dependencies first, and the same reference works again', async () => {
      const log = new CallLog();
      const plugins = await boot(log);
      const top = host!.moduleRef.get<{ ping(): string }>(getPluginToken('top'));
      await plugins.disable('base');
      const result = await plugins.enable('top');
      expect(result).toMatchObject({ name: 'top', state: 'enabled', alsoEnabled: ['base', 'middle'] });
      expect(log.of('init:').slice(-3)).toEqual(['init:base', 'init:middle', 'init:top']);
      expect(top.ping()).toBe('pong from top');
      expect((await plugins.enable('top')).alsoEnabled).toBeUndefined(); // already enabled: nothing to do
    });

    it('retries a failed plugin on enable, and throws when it fails again', async () => {
      let attempts = 0;
      const log = new CallLog();
      host = await bootHost({
        plugins: [
          makePlugin({ name: 'flaky' }, log, {
            initialize: () => {
              if (++attempts < 3) throw new Error(`attempt ${attempts} failed`);
            },
          }),
        ],
      });
      const plugins = host.moduleRef.get(PluginManager);
      expect(plugins.info('flaky').state).toBe('failed');
      const failures: PluginEvent[] = [];
      plugins.on('plugin.failed', (event) => failures.push(event));
      await expect(plugins.enable('flaky')).rejects.toMatchObject({
        code: 'PLUGIN_INIT_FAILED',
        message: expect.stringContaining('attempt 2 failed'),
      });
      expect(failures).toEqual([
        expect.objectContaining({
          name: 'plugin.failed',
          plugin: 'flaky',
          previousState: 'loaded',
          error: expect.objectContaining({ code: 'PLUGIN_INIT_FAILED' }),
        }),
      ]);
      await expect(plugins.enable('flaky')).resolves.toMatchObject({ state: 'enabled' });
    });

    it('emits an event for every state change and writes every change to the audit log', async () => {
      const plugins = await boot(new CallLog());
      const events: string[] = [];
      const stop = plugins.on('plugin.disabled', (event: PluginEvent) =>
        events.push(`${event.name} ${event.plugin} from ${event.previousState}`),
      );
      plugins.on('plugin.enabled', (event) => events.push(`${event.name} ${event.plugin}`));
      await plugins.disable('middle');
      await plugins.enable('middle', { actor: 'ops', route: 'POST /plugins/middle/enable' });
      await expect(plugins.enable('ghost')).rejects.toMatchObject({ code: 'PLUGIN_NOT_FOUND' });
      stop();
      await plugins.disable('other');
      expect(events).toEqual([
        'plugin.disabled top from enabled',
        'plugin.disabled middle from enabled',
        'plugin.enabled middle',
      ]);
      expect(
        plugins
          .audit()
          .map(({ operation, plugin, outcome, code, actor }) => ({ operation, plugin, outcome, code, actor })),
      ).toEqual([
        { operation: 'disable', plugin: 'middle', outcome: 'ok', code: undefined, actor: undefined },
        { operation: 'enable', plugin: 'middle', outcome: 'ok', code: undefined, actor: 'ops' },
        { operation: 'enable', plugin: 'ghost', outcome: 'error', code: 'PLUGIN_NOT_FOUND', actor: undefined },
        { operation: 'disable', plugin: 'other', outcome: 'ok', code: undefined, actor: undefined },
      ]);
      expect(plugins.audit()[1].route).toBe('POST /plugins/middle/enable');
    });

    it('withPlugin enables a disabled plugin for the block and restores it, also when the block throws', async () => {
      const plugins = await boot(new CallLog());
      await plugins.disable('other');
      await expect(plugins.withPlugin<string, { ping(): string }>('other', (other) => other.ping())).resolves.toBe(
        'pong from other',
      );
      expect(plugins.info('other').state).toBe('disabled');
      await expect(
        plugins.withPlugin('other', () => {
          expect(plugins.info('other').state).toBe('enabled');
          throw new Error('work failed');
        }),
      ).rejects.toThrow('work failed');
      expect(plugins.info('other').state).toBe('disabled');
      // An enabled plugin stays enabled.
      await plugins.withPlugin('base', () => undefined);
      expect(plugins.info('base').state).toBe('enabled');
    });
  });

  // Jest keeps each file's first source for the whole test file, so here every new version goes to a new
  // file that the manifest then names (reload re-reads it). Editing one file in place is tested in real
  // Node by reload-in-node.e2e-spec.ts.
  describe('reload', () => {
    let edits = 0;
    const versionedPackage = (code: string) => ({
      name: 'versioned-plugin',
      nestPlugin: { name: 'versioned', type: 'custom', entry: `./index-${edits}.js` },
      code,
    });
    const edit = (code: string) => {
      edits++;
      const { name, nestPlugin } = versionedPackage(code);
      tree!.package('plugins/versioned', { name, nestPlugin }, { [`index-${edits}.js`]: code });
    };
    const bootVersioned = async (code = versionedPlugin('v1')) => {
      tree = new PackageTree().host({});
      edit(code);
      host = await bootHost({ discovery: { root: tree.root } });
      return host.moduleRef.get(PluginManager);
    };

    it('re-reads the manifest and imports the new code: the same injected reference calls it', async () => {
      const plugins = await bootVersioned();
      const reference = host!.moduleRef.get<{ version(): string; initialized: number }>(getPluginToken('versioned'));
      expect(reference.version()).toBe('v1');
      edit(versionedPlugin('v2'));
      const events: string[] = [];
      plugins.on('plugin.reloaded', (event) => events.push(event.plugin));
      await expect(plugins.reload('versioned')).resolves.toMatchObject({ state: 'enabled' });
      expect(reference.version()).toBe('v2');
      expect(reference.initialized).toBe(1); // the new instance's field
      expect(events).toEqual(['versioned']);
      // Its hooks are the new code's too.
      await expect(host!.moduleRef.get(PluginHooks).call('version.asked')).resolves.toEqual([
        { plugin: 'versioned', ok: true, value: 'v2' },
      ]);
    });

    it('keeps the running version when the new code fails, and says why', async () => {
      const plugins = await bootVersioned();
      const reference = host!.moduleRef.get<{ version(): string }>(getPluginToken('versioned'));
      edit(versionedPlugin('broken', "throw new Error('cannot connect');"));
      await expect(plugins.reload('versioned')).rejects.toMatchObject({
        code: 'PLUGIN_INIT_FAILED',
        message: expect.stringContaining('cannot connect'),
      });
      expect(reference.version()).toBe('v1');
      expect(plugins.info('versioned').state).toBe('enabled');
      edit('export const nothing = 1;');
      await expect(plugins.reload('versioned')).rejects.toMatchObject({ code: 'PLUGIN_MANIFEST_INVALID' });
      expect(reference.version()).toBe('v1');
    });

    it('lets calls in flight finish on the old instance before its cleanup; new calls go to the new one', async () => {
      const events: string[] = [];
      (globalThis as Record<string, unknown>).__pluginEvents = events;
      const plugins = await bootVersioned();
      const reference = host!.moduleRef.get<{ slow(ms: number): Promise<string>; version(): string }>(
        getPluginToken('versioned'),
      );
      const inFlight = reference.slow(150);
      edit(versionedPlugin('v2'));
      const reloading = plugins.reload('versioned');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(reference.version()).toBe('v2'); // moved over while the old call still runs
      expect(events).toEqual([]); // the old instance is not cleaned up under the running call
      await expect(inFlight).resolves.toBe('v1');
      await reloading;
      expect(events).toEqual(['slow v1 done', 'cleanup v1']);
      delete (globalThis as Record<string, unknown>).__pluginEvents;
    });

    it('runs concurrent reloads of one plugin one after the other', async () => {
      const log: string[] = [];
      (globalThis as Record<string, unknown>).__reloadLog = log;
      const code = (label: string) =>
        versionedPlugin(
          label,
          `globalThis.__reloadLog.push('init ${label} start'); await new Promise((r) => setTimeout(r, 20)); globalThis.__reloadLog.push('init ${label} end');`,
        );
      const plugins = await bootVersioned(code('v1'));
      edit(code('v2'));
      await Promise.all([plugins.reload('versioned'), plugins.reload('versioned'), plugins.reload('versioned')]);
      expect(log).toEqual(['init v1 start', 'init v1 end', ...Array(3).fill(['init v2 start', 'init v2 end']).flat()]);
    });

    it('serves 100 reloads under a steady HTTP load without failing a request', async () => {
      tree = new PackageTree().host({});
      edit(versionedPlugin('v1'));

      @Injectable()
      class Service {
        constructor(
          @InjectPlugin('versioned') readonly plugin: { slow(ms: number): Promise<string>; version(): string },
        ) {}
      }
      @Controller()
      class LoadController {
        constructor(private readonly service: Service) {}
        @Get('work')
        async work(): Promise<{ version: string }> {
          return { version: `${this.service.plugin.version()}/${await this.service.plugin.slow(2)}` };
        }
      }
      const moduleRef = await Test.createTestingModule({
        imports: [PluginModule.forRoot({ discovery: { root: tree.root }, env: {} })],
        providers: [Service],
        controllers: [LoadController],
      }).compile();
      const app: INestApplication = moduleRef.createNestApplication({ logger: false });
      await app.listen(0, '127.0.0.1');
      const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/work`;
      try {
        const plugins = app.get(PluginManager);
        let running = true;
        const failures: string[] = [];
        let served = 0;
        const worker = async () => {
          while (running) {
            const response = await fetch(url).catch((error: Error) => ({
              ok: false,
              status: 0,
              text: async () => error.message,
            }));
            if (response.ok) served++;
            else failures.push(`${response.status} ${await response.text()}`);
          }
        };
        const workers = Array.from({ length: 8 }, worker);
        while (served < 20) await new Promise((resolve) => setTimeout(resolve, 5)); // the load is steady
        const before = served;
        for (let i = 2; i <= 101; i++) {
          edit(versionedPlugin(`v${i}`));
          await plugins.reload('versioned');
          await new Promise((resolve) => setTimeout(resolve, 2)); // let requests run between reloads
        }
        const during = served - before;
        running = false;
        await Promise.all(workers);
        expect(failures).toEqual([]);
        expect(during).toBeGreaterThan(100);
        expect(await (await fetch(url)).json()).toEqual({ version: 'v101/v101' });
      } finally {
        await app.close();
      }
    }, 60_000);
  });

  describe('updateConfig', () => {
    it('validates the merged config and hands it to configure(); an invalid patch changes nothing', async () => {
      const { IsInt, Max } = await import('class-validator');
      class LimitConfig {
        @IsInt()
        @Max(100)
        limit = 10;
        @IsInt()
        retries = 1;
      }
      const log = new CallLog();
      const configured: object[] = [];
      const Configurable = makePlugin({ name: 'limits', configSchema: LimitConfig }, log);
      Object.defineProperty(Configurable.prototype, 'configure', {
        value(config: object) {
          configured.push({ ...config });
        },
      });
      host = await bootHost({ plugins: [Configurable], config: { limits: { retries: 3 } } });
      const plugins = host.moduleRef.get(PluginManager);
      const events: string[] = [];
      plugins.on('plugin.config-updated', (event) => events.push(event.plugin));
      await plugins.updateConfig('limits', { limit: 50 });
      expect(configured).toEqual([{ limit: 50, retries: 3 }]);
      await expect(plugins.updateConfig('limits', { limit: 500 })).rejects.toMatchObject({
        code: 'PLUGIN_CONFIG_INVALID',
        message: expect.stringContaining('limit = 500 from PluginManager.updateConfig'),
      });
      await expect(plugins.updateConfig('limits', 'nope' as never)).rejects.toMatchObject({
        code: 'PLUGIN_CONFIG_INVALID',
      });
      await plugins.updateConfig('limits', { retries: 4 });
      expect(configured).toEqual([
        { limit: 50, retries: 3 },
        { limit: 50, retries: 4 },
      ]);
      expect(log.of('init:')).toEqual(['init:limits']); // configure, not re-initialize
      expect(events).toEqual(['limits', 'limits']);
    });

    it('re-initializes a plugin without configure(): a new instance with the new config takes over', async () => {
      const { IsInt } = await import('class-validator');
      class Size {
        @IsInt()
        size = 1;
      }
      const log = new CallLog();
      const seen: unknown[] = [];
      host = await bootHost({
        plugins: [
          makePlugin({ name: 'sized', configSchema: Size }, log, {
            initialize: (config) => void seen.push({ ...config }),
          }),
        ],
      });
      const plugins = host.moduleRef.get(PluginManager);
      await plugins.updateConfig('sized', { size: 7 });
      expect(seen).toEqual([{ size: 1 }, { size: 7 }]);
      expect(
        log.entries.filter((e) => e.startsWith('construct:') || e.startsWith('init:') || e.startsWith('cleanup:')),
      ).toEqual(['construct:sized', 'init:sized', 'construct:sized', 'init:sized', 'cleanup:sized']);
      expect(plugins.info('sized').state).toBe('enabled');
    });
  });

  it('a plugin stopped with calls in flight waits for them (at most the cleanup timeout)', async () => {
    const log = new CallLog();
    const release = deferred();
    const Slow = makePlugin({ name: 'slow' }, log);
    Object.defineProperty(Slow.prototype, 'work', {
      async value() {
        await release.promise;
        log.add('work done');
      },
    });
    host = await bootHost({ plugins: [Slow] });
    const plugins = host.moduleRef.get(PluginManager);
    const reference = host.moduleRef.get<{ work(): Promise<void> }>(getPluginToken('slow'));
    const call = reference.work();
    const disabling = plugins.disable('slow');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(log.of('cleanup:')).toEqual([]);
    await expect(reference.work()).rejects.toBeInstanceOf(PluginError);
    release.resolve();
    await call;
    await disabling;
    expect(log.entries.slice(-2)).toEqual(['work done', 'cleanup:slow']);
  });
});
