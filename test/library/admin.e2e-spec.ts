import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable, type CanActivate, type ExecutionContext, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { IsInt, Max } from 'class-validator';
import { PluginManager, PluginModule } from 'nestjs-plugin-host';
import { PluginAdminModule, type PluginAdminOptions } from 'nestjs-plugin-host/admin';
import request from 'supertest';
import { CallLog, makePlugin } from './fixtures.js';

const TOKEN = 'a-long-admin-token-for-tests-0123456789';

class LimitConfig {
  @IsInt()
  @Max(100)
  limit = 10;
}

/** Lets requests with `x-user: admin` through, as a host's own auth would. */
@Injectable()
class HeaderGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string>; user?: unknown }>();
    if (req.headers['x-user'] !== 'admin') return false;
    req.user = { username: 'admin' };
    return true;
  }
}

describe('admin endpoints (PluginAdminModule)', () => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const start = async (admin?: PluginAdminOptions) => {
    const log = new CallLog();
    const moduleRef = await Test.createTestingModule({
      imports: [
        PluginModule.forRoot({
          plugins: [
            makePlugin({ name: 'alpha', configSchema: LimitConfig }, log),
            makePlugin({ name: 'beta', dependencies: { alpha: '^1.0.0' } }, log),
          ],
          env: {},
          hostVersion: '0.1.0',
        }),
        ...(admin ? [PluginAdminModule.forRoot(admin)] : []),
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    return { http: request(app.getHttpServer()), plugins: app.get(PluginManager), log };
  };

  it('has no routes without the module', async () => {
    const { http } = await start();
    await http.get('/plugins').expect(404);
    await http.post('/plugins/alpha/disable').expect(404);
  });

  it('answers 401 without or with a wrong bearer token, changing nothing', async () => {
    const { http, plugins } = await start({ token: TOKEN });
    await http.get('/plugins').expect(401);
    await http.post('/plugins/alpha/disable').set('authorization', 'Bearer wrong').expect(401);
    await http.post('/plugins/alpha/disable').set('authorization', `Basic ${TOKEN}`).expect(401);
    expect(plugins.info('alpha').state).toBe('enabled');
    expect(plugins.audit()).toEqual([]);
  });

  it('serves every route with the token, and audits each change', async () => {
    const { http, plugins, log } = await start({ token: TOKEN });
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await http.get('/plugins').set(auth).expect(200)).body.map((p: { name: string }) => p.name)).toEqual([
      'alpha',
      'beta',
    ]);
    expect((await http.get('/plugins/beta').set(auth).expect(200)).body).toMatchObject({
      name: 'beta',
      state: 'enabled',
    });
    expect((await http.get('/plugins/nope').set(auth).expect(404)).body).toMatchObject({
      code: 'PLUGIN_NOT_FOUND',
      plugin: 'nope',
    });

    const disabled = await http.post('/plugins/alpha/disable').set(auth).expect(200);
    expect(disabled.body).toMatchObject({ name: 'alpha', state: 'disabled', alsoDisabled: ['beta'] });
    expect((await http.post('/plugins/beta/enable').set(auth).expect(200)).body).toMatchObject({
      state: 'enabled',
      alsoEnabled: ['alpha'],
    });
    await http.post('/plugins/alpha/reload').set(auth).expect(200);
    expect(log.of('construct:alpha')).toHaveLength(2);

    expect((await http.patch('/plugins/alpha/config').set(auth).send({ limit: 500 }).expect(400)).body).toMatchObject({
      code: 'PLUGIN_CONFIG_INVALID',
    });
    expect((await http.patch('/plugins/alpha/config').set(auth).send([1]).expect(400)).body.message).toContain(
      'must be a JSON object',
    );
    await http.patch('/plugins/alpha/config').set(auth).send({ limit: 50 }).expect(200);
    expect((await http.post('/plugins/alpha/reload').set(auth).send({ force: true }).expect(400)).body.message).toBe(
      'this route takes no body',
    );

    expect(plugins.audit().map((e) => `${e.actor} ${e.route} ${e.outcome}${e.code ? ` ${e.code}` : ''}`)).toEqual([
      'token POST /plugins/alpha/disable ok',
      'token POST /plugins/beta/enable ok',
      'token POST /plugins/alpha/reload ok',
      'token PATCH /plugins/alpha/config error PLUGIN_CONFIG_INVALID',
      'token PATCH /plugins/alpha/config ok',
    ]);
  });

  it('uses the host’s guard instead, recording its user as the actor, under the chosen path', async () => {
    const { http, plugins } = await start({ guard: HeaderGuard, path: 'admin/plugins' });
    await http.get('/plugins').expect(404);
    await http.post('/admin/plugins/beta/disable').expect(403);
    await http.post('/admin/plugins/beta/disable').set('x-user', 'admin').expect(200);
    expect(plugins.audit()).toEqual([
      expect.objectContaining({
        actor: 'admin',
        route: 'POST /admin/plugins/beta/disable',
        operation: 'disable',
        plugin: 'beta',
        outcome: 'ok',
      }),
    ]);
  });

  it('refuses options without a guard or a token, or with a short token', () => {
    expect(() => PluginAdminModule.forRoot({})).toThrow(/give a guard class or a token/);
    expect(() => PluginAdminModule.forRoot({ token: 'short' })).toThrow(/at least 16 characters/);
  });
});
