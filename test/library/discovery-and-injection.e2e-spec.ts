import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { types } from 'node:util';
import {
  InjectPlugin,
  InjectPlugins,
  Plugin,
  PluginError,
  PluginManager,
  PluginModule,
  PluginState,
  getPluginToken,
} from 'nestjs-plugin-host';
import { bootHost, CallLog, makePlugin, thrownBy, type Host } from './fixtures.js';

@Plugin({ name: 'graph-plugin', type: 'output', version: '2.0.0', compatibility: '^0.1.0' })
class GraphPlugin {
  calls = 0;
  render(): string {
    this.calls++;
    return 'rendered by the provider plugin';
  }
}

@Module({ providers: [GraphPlugin], exports: [GraphPlugin] })
class ReportingModule {}

@Injectable()
class DetectionService {
  constructor(
    @InjectPlugin('alpha') readonly alpha: { ping(): string },
    @InjectPlugin('graph-plugin') readonly graph: GraphPlugin,
    @InjectPlugin('off') readonly off: { ping(): string },
    @InjectPlugin('broken') readonly broken: { ping(): string },
    @InjectPlugin('nowhere') readonly nowhere: { ping(): string },
    @InjectPlugins('algorithm') readonly algorithms: { ping(): string }[],
    @InjectPlugins('output') readonly outputs: object[],
  ) {}
}

describe('discovery and injection', () => {
  let host: Host | undefined;
  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  const boot = (log: CallLog) =>
    bootHost({
      plugins: [
        makePlugin({ name: 'alpha', dependencies: { beta: '^1.0.0' } }, log),
        makePlugin({ name: 'beta' }, log),
        makePlugin({ name: 'off' }, log),
        makePlugin({ name: 'broken' }, log, {
          initialize: () => {
            throw new Error('model file missing');
          },
        }),
      ],
      disabled: ['off'],
      // graph-plugin is a @Plugin() provider and nowhere never comes: neither is known when the module is declared.
      module: {
        imports: [
          ReportingModule,
          PluginModule.forFeature({ plugins: ['graph-plugin', 'nowhere'], types: ['output'] }),
        ],
        providers: [DetectionService],
      },
    });

  it('finds the classes given in plugins and the @Plugin() providers of any module', async () => {
    host = await boot(new CallLog());
    const list = host.moduleRef.get(PluginManager).list();
    expect(list.map((p) => [p.name, p.source.kind])).toEqual(
      expect.arrayContaining([
        ['alpha', 'module-options'],
        ['beta', 'module-options'],
        ['graph-plugin', 'provider'],
      ]),
    );
    expect(list.find((p) => p.name === 'graph-plugin')!.source.description).toBe(
      'provider GraphPlugin in ReportingModule',
    );
  });

  it('injects a stable reference by name that calls the live instance, and is no Proxy', async () => {
    host = await boot(new CallLog());
    const service = host.moduleRef.get(DetectionService);
    const manager = host.moduleRef.get(PluginManager);
    expect(service.alpha.ping()).toBe('pong from alpha');
    expect(service.alpha).toBe(manager.get('alpha'));
    expect(types.isProxy(service.alpha)).toBe(false);
    const AlphaClass = service.alpha.constructor as new () => object;
    expect(AlphaClass.name).toBe('alphaPlugin');
    expect(service.alpha).toBeInstanceOf(AlphaClass);
  });

  it('forwards calls by name to the instance Nest built for a provider plugin', async () => {
    host = await boot(new CallLog());
    const service = host.moduleRef.get(DetectionService);
    const nestInstance = host.moduleRef.get(GraphPlugin, { strict: false });
    expect(service.graph.render()).toBe('rendered by the provider plugin');
    expect(nestInstance.calls).toBe(1);
    expect(service.graph).toBeInstanceOf(GraphPlugin);
    expect(types.isProxy(service.graph)).toBe(false);
  });

  it('injects every enabled plugin of a type, dependencies first, as a live array', async () => {
    host = await boot(new CallLog());
    const service = host.moduleRef.get(DetectionService);
    expect(service.algorithms.map((p) => p.ping())).toEqual(['pong from beta', 'pong from alpha']);
    expect(service.outputs).toHaveLength(1);
    await host.close();
    expect(service.algorithms).toEqual([]); // cleaned up at shutdown: no longer enabled
    host = undefined;
  });

  it('boots with a disabled plugin and a failed plugin injected; calling them says why', async () => {
    host = await boot(new CallLog());
    const service = host.moduleRef.get(DetectionService);
    expect(thrownBy(() => service.off.ping())).toMatchObject({ code: 'PLUGIN_DISABLED' });
    expect(() => service.off.ping()).toThrow(/plugin "off" cannot be called: it is disabled/);
    expect(thrownBy(() => service.broken.ping())).toMatchObject({ code: 'PLUGIN_DISABLED' });
    expect(() => service.broken.ping()).toThrow(
      /"broken" cannot be called: it failed \(PLUGIN_INIT_FAILED: .*model file missing/,
    );
  });

  it('calls through a name no plugin has fail with PLUGIN_NOT_FOUND listing the known plugins', async () => {
    host = await boot(new CallLog());
    const service = host.moduleRef.get(DetectionService);
    let error: unknown;
    try {
      service.nowhere.ping();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PluginError);
    expect(error).toMatchObject({ code: 'PLUGIN_NOT_FOUND', plugin: 'nowhere' });
    expect((error as Error).message).toMatch(/known plugins: .*alpha/);
    expect(host.logger.messages().join('\n')).toMatch(
      /@InjectPlugin\('nowhere'\) is used but no plugin named "nowhere" is registered/,
    );
  });

  it('refuses two plugins with one name, naming both sources, and still boots', async () => {
    const log = new CallLog();
    const first = makePlugin({ name: 'twin' }, log);
    const second = makePlugin({ name: 'twin', version: '2.0.0' }, log);
    host = await bootHost({ plugins: [first, second, makePlugin({ name: 'solo' }, log)] });
    const info = host.moduleRef.get(PluginManager).info('twin');
    expect(info.state).toBe(PluginState.FAILED);
    expect(info.error?.code).toBe('PLUGIN_DUPLICATE');
    expect(info.error?.message).toContain(
      'class twinPlugin in PluginModule plugins[0] and class twinPlugin in PluginModule plugins[1]',
    );
    expect(log.of('construct:twin')).toEqual([]);
    expect(host.moduleRef.get(PluginManager).info('solo').state).toBe(PluginState.ENABLED);
  });

  it('refuses a plugin declared both in plugins and as a provider (two instances, one name)', async () => {
    host = await bootHost({ plugins: [GraphPlugin], module: { imports: [ReportingModule] } });
    const info = host.moduleRef.get(PluginManager).info('graph-plugin');
    expect(info.error?.code).toBe('PLUGIN_DUPLICATE');
    expect(info.error?.message).toContain(
      'class GraphPlugin in PluginModule plugins[0] and provider GraphPlugin in ReportingModule',
    );
  });

  it('provides a token per plugin name for plugins listed in plugins', async () => {
    const log = new CallLog();
    host = await bootHost({ plugins: [makePlugin({ name: 'by-token' }, log)] });
    const plugin = host.moduleRef.get<{ ping(): string }>(getPluginToken('by-token'), { strict: false });
    expect(plugin.ping()).toBe('pong from by-token');
  });

  it('reports a class without @Plugin() as PLUGIN_MANIFEST_INVALID and starts the others', async () => {
    class NotAPlugin {}
    const log = new CallLog();
    host = await bootHost({ plugins: [NotAPlugin, makePlugin({ name: 'fine' }, log)] });
    const manager = host.moduleRef.get(PluginManager);
    expect(manager.info('NotAPlugin').error?.message).toMatch(
      /PLUGIN_MANIFEST_INVALID: class NotAPlugin in PluginModule plugins\[0\] has no @Plugin\(\) decorator/,
    );
    expect(manager.info('fine').state).toBe('enabled');
  });
});
