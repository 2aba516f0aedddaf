import { afterEach, describe, expect, it } from '@jest/globals';
import { Controller, Get, type INestApplication } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { PluginHealthIndicator, PluginModule, type PluginModuleSyncOptions } from 'nestjs-plugin-host';
import request from 'supertest';
import { CallLog, CapturingLogger, deferred, makePlugin } from './fixtures.js';

@Controller()
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly plugins: PluginHealthIndicator,
  ) {}

  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.plugins.check()]);
  }
}

describe('plugin health through Terminus', () => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const serve = async (options: PluginModuleSyncOptions) => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        TerminusModule.forRoot({ logger: false }),
        PluginModule.forRoot({ hostVersion: '0.1.0', env: {}, ...options }),
      ],
      controllers: [HealthController],
    })
      .setLogger(new CapturingLogger())
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    return request(app.getHttpServer());
  };

  it('reports every enabled plugin up with state, version and response time', async () => {
    const log = new CallLog();
    const http = await serve({
      plugins: [
        makePlugin({ name: 'steady', version: '1.2.0' }, log, {
          healthCheck: () => ({ status: 'up', details: { models: 2 } }),
        }),
        makePlugin({ name: 'plain' }, log),
      ],
    });
    const response = await http.get('/health').expect(200);
    expect(response.body.status).toBe('ok');
    expect(response.body.info.plugins).toMatchObject({
      status: 'up',
      steady: { status: 'up', state: 'enabled', version: '1.2.0', details: { models: 2 } },
      plain: { status: 'up', state: 'enabled', version: '1.0.0' },
    });
    expect(typeof response.body.info.plugins.steady.responseMs).toBe('number');
  });

  it('reports a healthCheck that throws as down with the reason: a 503, never a 500', async () => {
    const log = new CallLog();
    const http = await serve({
      plugins: [
        makePlugin({ name: 'flaky' }, log, {
          healthCheck: () => {
            throw new Error('connection pool exhausted');
          },
        }),
        makePlugin({ name: 'fine' }, log),
      ],
    });
    const response = await http.get('/health').expect(503);
    expect(response.body.error.plugins.flaky).toMatchObject({ status: 'down', message: 'connection pool exhausted' });
    expect(response.body.error.plugins.fine).toMatchObject({ status: 'up' });
  });

  it('reports a healthCheck that rejects or says down as down', async () => {
    const log = new CallLog();
    const http = await serve({
      plugins: [
        makePlugin({ name: 'rejects' }, log, { healthCheck: () => Promise.reject(new Error('disk full')) }),
        makePlugin({ name: 'says-down' }, log, {
          healthCheck: () => ({ status: 'down', message: 'model not loaded' }),
        }),
      ],
    });
    const response = await http.get('/health').expect(503);
    expect(response.body.details.plugins.rejects).toMatchObject({ status: 'down', message: 'disk full' });
    expect(response.body.details.plugins['says-down']).toMatchObject({ status: 'down', message: 'model not loaded' });
  });

  it('reports a healthCheck that hangs as down with PLUGIN_TIMEOUT after the health timeout', async () => {
    const log = new CallLog();
    const http = await serve({
      timeouts: { healthCheck: 50 },
      plugins: [makePlugin({ name: 'hangs' }, log, { healthCheck: () => new Promise(() => undefined) })],
    });
    const response = await http.get('/health').expect(503);
    expect(response.body.details.plugins.hangs).toMatchObject({ status: 'down', code: 'PLUGIN_TIMEOUT' });
    expect(response.body.details.plugins.hangs.message).toContain('did not finish healthCheck within 50 ms');
  });

  it('runs the health checks of different plugins concurrently', async () => {
    // Each check waits for the other to have started: run one after the other, both would time out.
    const log = new CallLog();
    const firstStarted = deferred();
    const secondStarted = deferred();
    const http = await serve({
      timeouts: { healthCheck: 1_000 },
      plugins: [
        makePlugin({ name: 'first' }, log, {
          healthCheck: async () => {
            firstStarted.resolve();
            await secondStarted.promise;
            return { status: 'up' };
          },
        }),
        makePlugin({ name: 'second' }, log, {
          healthCheck: async () => {
            secondStarted.resolve();
            await firstStarted.promise;
            return { status: 'up' };
          },
        }),
      ],
    });
    await http.get('/health').expect(200);
  });

  it('lists a failed optional plugin as down with its error, without failing the whole check', async () => {
    const log = new CallLog();
    const http = await serve({
      plugins: [
        makePlugin({ name: 'broken' }, log, {
          initialize: () => {
            throw new Error('bad credentials');
          },
        }),
        makePlugin({ name: 'ok' }, log),
      ],
    });
    const response = await http.get('/health').expect(200);
    expect(response.body.info.plugins.broken).toMatchObject({
      status: 'down',
      state: 'failed',
      code: 'PLUGIN_INIT_FAILED',
    });
    expect(response.body.info.plugins.broken.message).toContain('bad credentials');
  });
});
