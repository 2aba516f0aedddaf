import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { InjectPlugin, PluginManager, PluginModule, PluginState } from 'nestjs-plugin-host';
import { bootHost, CallLog, CapturingLogger, makePlugin, thrownBy, type Host } from './fixtures.js';

describe('startup log and report', () => {
  let host: Host | undefined;
  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  it('logs one line per plugin with name, version, type, source, outcome and ms, then a summary', async () => {
    const log = new CallLog();
    host = await bootHost({
      disabled: ['resting'],
      plugins: [
        makePlugin({ name: 'good', version: '1.2.0' }, log),
        makePlugin({ name: 'resting' }, log),
        makePlugin({ name: 'bad' }, log, {
          initialize: () => {
            throw new Error('boom');
          },
        }),
      ],
    });
    const lines = host.logger.messages();
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^log: good@1\.2\.0 \[algorithm\] from class goodPlugin in PluginModule plugins\[0\]: enabled in [\d.]+ ms \(load [\d.]+ ms, configure [\d.]+ ms, initialize [\d.]+ ms\)$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^log: resting@1\.0\.0 \[algorithm\] from .*: disabled in [\d.]+ ms/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^warn: bad@1\.0\.0 \[algorithm\] from .*: failed in [\d.]+ ms .*: PLUGIN_INIT_FAILED: plugin "bad" threw in initialize: boom/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^log: plugins started in [\d.]+ ms: 1 enabled, 1 disabled, 1 failed$/),
    );
  });

  it('returns the startup report: every plugin with outcome and ms per phase', async () => {
    const log = new CallLog();
    host = await bootHost({
      plugins: [
        makePlugin({ name: 'good' }, log),
        makePlugin({ name: 'bad' }, log, {
          initialize: () => {
            throw new Error('boom');
          },
        }),
      ],
    });
    const report = host.moduleRef.get(PluginManager).report();
    expect(report).toMatchObject({ hostVersion: '0.1.0', summary: { enabled: 1, failed: 1 } });
    expect(typeof report.durationMs).toBe('number');
    expect(new Date(report.startedAt!).getTime()).not.toBeNaN();
    const good = report.plugins.find((p) => p.name === 'good')!;
    expect(good).toMatchObject({
      outcome: 'enabled',
      version: '1.0.0',
      type: 'algorithm',
      source: 'class goodPlugin in PluginModule plugins[0]',
    });
    expect(Object.keys(good.phases)).toEqual(['load', 'configure', 'initialize']);
    expect(report.plugins.find((p) => p.name === 'bad')).toMatchObject({
      outcome: 'failed',
      error: { code: 'PLUGIN_INIT_FAILED' },
    });
  });

  it('lists and filters plugins by type and state, and gets an enabled one', async () => {
    const log = new CallLog();
    host = await bootHost({
      disabled: ['csv'],
      plugins: [
        makePlugin({ name: 'iforest' }, log),
        makePlugin({ name: 'csv', type: 'data-source' }, log),
        makePlugin({ name: 'json', type: 'data-source' }, log),
      ],
    });
    const manager = host.moduleRef.get(PluginManager);
    expect(manager.list({ type: 'data-source' }).map((p) => p.name)).toEqual(['csv', 'json']);
    expect(manager.list({ state: PluginState.ENABLED }).map((p) => p.name)).toEqual(['iforest', 'json']);
    expect(manager.get<{ ping(): string }>('json').ping()).toBe('pong from json');
    expect(thrownBy(() => manager.get('csv'))).toMatchObject({ code: 'PLUGIN_DISABLED' });
    expect(thrownBy(() => manager.get('xml'))).toMatchObject({ code: 'PLUGIN_NOT_FOUND' });
  });
});

describe('PluginModule.forRootAsync', () => {
  it('resolves runtime options from a factory inside DI, e.g. ConfigService', async () => {
    const log = new CallLog();
    @Injectable()
    class Consumer {
      constructor(@InjectPlugin('async-one') readonly one: { ping(): string }) {}
    }
    @Module({ providers: [Consumer] })
    class FeatureModule {}

    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({
          ignoreEnvFile: true,
          load: [() => ({ DISABLED_PLUGINS: 'async-two', HOST_VERSION: '0.1.0' })],
        }),
        PluginModule.forRootAsync({
          plugins: [makePlugin({ name: 'async-one' }, log), makePlugin({ name: 'async-two' }, log)],
          imports: [ConfigModule],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({
            hostVersion: config.get<string>('HOST_VERSION'),
            disabled: config.get<string>('DISABLED_PLUGINS')?.split(',') ?? [],
            env: {},
          }),
        }),
        FeatureModule,
      ],
    })
      .setLogger(new CapturingLogger())
      .compile();
    await moduleRef.init();
    try {
      const manager = moduleRef.get(PluginManager);
      expect(manager.info('async-two').state).toBe('disabled');
      expect(moduleRef.get(Consumer).one.ping()).toBe('pong from async-one');
    } finally {
      await moduleRef.close();
    }
  });
});
