import { afterEach, describe, expect, it } from '@jest/globals';
import { PluginManager, PluginState, type PluginPhaseContext } from 'nestjs-plugin-host';
import { bootHost, CallLog, deferred, makePlugin, type Host } from './fixtures.js';

describe('lifecycle', () => {
  let host: Host | undefined;
  afterEach(async () => {
    await host?.close();
    host = undefined;
  });
  const info = (name: string) => host!.moduleRef.get(PluginManager).info(name);

  it('initializes dependencies first and cleans up in reverse order', async () => {
    const log = new CallLog();
    host = await bootHost({
      plugins: [
        makePlugin({ name: 'app', dependencies: { cache: '^1.0.0', db: '^1.0.0' } }, log),
        makePlugin({ name: 'cache', dependencies: { db: '^1.0.0' } }, log),
        makePlugin({ name: 'db' }, log),
      ],
    });
    expect(log.of('init:')).toEqual(['init:db', 'init:cache', 'init:app']);
    await host.close();
    host = undefined;
    expect(log.of('cleanup:')).toEqual(['cleanup:app', 'cleanup:cache', 'cleanup:db']);
  });

  it('does not start a dependent before its dependency finished initializing', async () => {
    const log = new CallLog();
    const slow = deferred();
    const booting = bootHost({
      plugins: [
        makePlugin({ name: 'slow-db', type: 'data-source' }, log, { initialize: () => slow.promise }),
        makePlugin({ name: 'api', dependencies: { 'slow-db': '*' } }, log),
      ],
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(log.of('init:')).toEqual(['init:slow-db']);
    slow.resolve();
    host = await booting;
    expect(log.of('init:')).toEqual(['init:slow-db', 'init:api']);
  });

  it('cleans up exactly once even when shutdown is signalled twice', async () => {
    const log = new CallLog();
    host = await bootHost({ plugins: [makePlugin({ name: 'once' }, log)] });
    await Promise.all([host.close(), host.close()]);
    await host.close();
    host = undefined;
    expect(log.of('cleanup:')).toEqual(['cleanup:once']);
  });

  it('fails every plugin of a dependency cycle with PLUGIN_DEPENDENCY_CYCLE listing the cycle; the rest start', async () => {
    const log = new CallLog();
    host = await bootHost({
      plugins: [
        makePlugin({ name: 'a', dependencies: { b: '*' } }, log),
        makePlugin({ name: 'b', dependencies: { c: '*' } }, log),
        makePlugin({ name: 'c', dependencies: { a: '*' } }, log),
        makePlugin({ name: 'd', dependencies: { a: '*' } }, log),
        makePlugin({ name: 'free' }, log),
      ],
    });
    for (const name of ['a', 'b', 'c']) {
      expect(info(name).error?.code).toBe('PLUGIN_DEPENDENCY_CYCLE');
      expect(info(name).error?.message).toContain('"a" → "b" → "c" → "a"');
    }
    expect(info('d').error).toMatchObject({ code: 'PLUGIN_DEPENDENCY_FAILED' });
    expect(info('d').error?.message).toContain('its dependency "a" failed (PLUGIN_DEPENDENCY_CYCLE)');
    expect(info('free').state).toBe(PluginState.ENABLED);
    expect(log.of('construct:').sort()).toEqual(['construct:free']);
  });

  it('fails a plugin whose dependency is missing or out of range with PLUGIN_DEPENDENCY_MISSING; its dependents do not start', async () => {
    const log = new CallLog();
    host = await bootHost({
      plugins: [
        makePlugin({ name: 'needs-ghost', dependencies: { ghost: '^1.0.0' } }, log),
        makePlugin({ name: 'old-lib', version: '1.4.0' }, log),
        makePlugin({ name: 'needs-new-lib', dependencies: { 'old-lib': '^2.0.0' } }, log),
        makePlugin({ name: 'top', dependencies: { 'needs-new-lib': '*' } }, log),
      ],
    });
    expect(info('needs-ghost').error?.code).toBe('PLUGIN_DEPENDENCY_MISSING');
    expect(info('needs-ghost').error?.message).toContain(
      'needs "ghost"@^1.0.0 but no plugin named "ghost" is registered',
    );
    expect(info('needs-new-lib').error?.code).toBe('PLUGIN_DEPENDENCY_MISSING');
    expect(info('needs-new-lib').error?.message).toContain('needs "old-lib"@^2.0.0 but "old-lib" is 1.4.0');
    expect(info('top').error?.code).toBe('PLUGIN_DEPENDENCY_FAILED');
    expect(info('old-lib').state).toBe('enabled');
    expect(log.of('init:')).toEqual(['init:old-lib']);
  });

  it('marks a plugin that throws in initialize failed with the reason; its dependents are skipped naming it; the rest start', async () => {
    const log = new CallLog();
    host = await bootHost({
      plugins: [
        makePlugin({ name: 'thrower' }, log, {
          initialize: () => {
            throw new Error('cannot open model.onnx');
          },
        }),
        makePlugin({ name: 'dependent', dependencies: { thrower: '*' } }, log),
        makePlugin({ name: 'bystander' }, log),
      ],
    });
    expect(info('thrower')).toMatchObject({ state: 'failed', error: { code: 'PLUGIN_INIT_FAILED' } });
    expect(info('thrower').error?.message).toContain('plugin "thrower" threw in initialize: cannot open model.onnx');
    expect(info('dependent')).toMatchObject({ state: 'failed', error: { code: 'PLUGIN_DEPENDENCY_FAILED' } });
    expect(info('dependent').error?.message).toContain('its dependency "thrower" failed (PLUGIN_INIT_FAILED)');
    expect(info('bystander').state).toBe('enabled');
    expect(log.of('init:')).not.toContain('init:dependent');
  });

  it('times out a hanging initialize with PLUGIN_TIMEOUT naming plugin and phase, and aborts its signal', async () => {
    const log = new CallLog();
    let signal: AbortSignal | undefined;
    host = await bootHost({
      timeouts: { initialize: 50 },
      plugins: [
        makePlugin({ name: 'hangs' }, log, {
          initialize: (_config, ctx) => {
            signal = ctx.signal;
            return new Promise(() => undefined);
          },
        }),
        makePlugin({ name: 'quick' }, log),
      ],
    });
    expect(info('hangs').error?.code).toBe('PLUGIN_TIMEOUT');
    expect(info('hangs').error?.message).toContain('plugin "hangs" did not finish initialize within 50 ms');
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toMatchObject({ code: 'PLUGIN_TIMEOUT' });
    expect(info('quick').state).toBe('enabled');
  });

  it('takes per-plugin timeouts from @Plugin({ timeouts }) and lets pluginTimeouts override them', async () => {
    const log = new CallLog();
    const wait = (ms: number) => () => new Promise((r) => setTimeout(r, ms));
    host = await bootHost({
      timeouts: { initialize: 20 },
      pluginTimeouts: { overridden: { initialize: 20 } },
      plugins: [
        makePlugin({ name: 'patient', timeouts: { initialize: 5_000 } }, log, { initialize: wait(60) }),
        makePlugin({ name: 'overridden', timeouts: { initialize: 5_000 } }, log, { initialize: wait(60) }),
      ],
    });
    expect(info('patient').state).toBe('enabled');
    expect(info('overridden').error?.message).toContain('within 20 ms');
  });

  it('stops bootstrap when a required plugin fails, naming it and why, after cleaning up what started', async () => {
    const log = new CallLog();
    const booting = bootHost({
      required: ['must-run'],
      plugins: [
        makePlugin({ name: 'started' }, log),
        makePlugin({ name: 'must-run', dependencies: { started: '*' } }, log, {
          initialize: () => {
            throw new Error('license key rejected');
          },
        }),
      ],
    });
    await expect(booting).rejects.toThrow(
      /bootstrap stopped: required plugin "must-run" failed\. PLUGIN_INIT_FAILED: .*license key rejected/,
    );
    expect(log.of('cleanup:')).toEqual(['cleanup:started']);
  });

  it('stops bootstrap when a plugin declaring required: true is refused before loading', async () => {
    const log = new CallLog();
    await expect(
      bootHost({ plugins: [makePlugin({ name: 'core', required: true, compatibility: '^9.0.0' }, log)] }),
    ).rejects.toThrow(/required plugin "core" failed\. PLUGIN_INCOMPATIBLE/);
  });

  it('reports a cleanup that hangs as PLUGIN_TIMEOUT and still finishes shutdown', async () => {
    const log = new CallLog();
    host = await bootHost({
      timeouts: { cleanup: 30 },
      plugins: [
        makePlugin({ name: 'stuck' }, log, { cleanup: () => new Promise(() => undefined) }),
        makePlugin({ name: 'tidy' }, log),
      ],
    });
    const manager = host.moduleRef.get(PluginManager);
    const logger = host.logger;
    await host.close();
    host = undefined;
    expect(manager.info('stuck').error?.code).toBe('PLUGIN_TIMEOUT');
    expect(manager.info('tidy').state).toBe('disabled');
    expect(logger.messages().join('\n')).toMatch(
      /error: stuck: cleanup failed in .* ms: PLUGIN_TIMEOUT: plugin "stuck" did not finish cleanup within 30 ms/,
    );
  });

  it('gives every phase a context with the plugin name, a logger and a signal, and initialize the config', async () => {
    const log = new CallLog();
    const seen: Record<string, unknown> = {};
    host = await bootHost({
      config: { ctx: { anything: 1 } },
      plugins: [
        makePlugin({ name: 'ctx' }, log, {
          initialize: (config, ctx) => {
            Object.assign(seen, {
              config,
              ctxConfig: ctx.config,
              name: ctx.name,
              signal: ctx.signal instanceof AbortSignal,
              logger: typeof ctx.logger.log,
            });
          },
          cleanup: (ctx: PluginPhaseContext) => {
            seen.cleanupSignal = ctx.signal instanceof AbortSignal;
          },
        }),
      ],
    });
    await host.close();
    host = undefined;
    expect(seen).toEqual({
      config: { anything: 1 },
      ctxConfig: { anything: 1 },
      name: 'ctx',
      signal: true,
      logger: 'function',
      cleanupSignal: true,
    });
  });
});
