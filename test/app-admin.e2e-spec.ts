import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';

import { AppModule } from '../src/app.module.js';
import { configureApp } from '../src/app.setup.js';

// The demo serves the admin routes when ADMIN_TOKEN is set as it boots (read through ConfigService); else they answer 404.
const TOKEN = 'demo-admin-token-0123456789abcdef';

describe('demo host without ADMIN_TOKEN', () => {
  it('answers every admin route 404, as a route that does not exist', async () => {
    process.env.DISABLED_PLUGINS = 'sklearn';
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const app = configureApp(moduleRef.createNestApplication({ logger: false }));
    await app.init();
    try {
      const http = request(app.getHttpServer());
      const missing = await http
        .get('/admin/plugins')
        .set({ authorization: `Bearer ${TOKEN}` })
        .expect(404);
      expect(missing.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Cannot GET /admin/plugins' });
      await http.post('/admin/plugins/pyod/disable').expect(404);
      expect((await http.get('/no-such-route').expect(404)).body).toEqual({
        statusCode: 404,
        error: 'Not Found',
        message: 'Cannot GET /no-such-route',
      });
    } finally {
      await app.close();
      delete process.env.DISABLED_PLUGINS;
    }
  });
});

describe('demo host with ADMIN_TOKEN set', () => {
  let app: INestApplication;
  beforeAll(async () => {
    process.env.ADMIN_TOKEN = TOKEN;
    process.env.DISABLED_PLUGINS = 'sklearn';
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = configureApp(moduleRef.createNestApplication({ logger: false }));
    await app.init();
  });
  afterAll(async () => {
    await app.close();
    delete process.env.ADMIN_TOKEN;
    delete process.env.DISABLED_PLUGINS;
  });

  it('manages plugins at /admin/plugins with the token; /detect follows', async () => {
    const http = request(app.getHttpServer());
    const auth = { authorization: `Bearer ${TOKEN}` };
    await http.post('/admin/plugins/pyod/disable').expect(401);
    await http.post('/admin/plugins/pyod/disable').set(auth).expect(200);
    await http
      .post('/detect')
      .send({ algorithm: 'pyod', data: [[1], [2]] })
      .expect(503);
    await http.post('/admin/plugins/pyod/enable').set(auth).expect(200);
    await http.patch('/admin/plugins/pyod/config').set(auth).send({ contamination: 0.2 }).expect(200);
    expect((await http.get('/admin/plugins/pyod').set(auth).expect(200)).body).toMatchObject({ state: 'enabled' });
    await http.post('/admin/plugins/pyod/reload').set(auth).expect(200);
    await http
      .post('/detect')
      .send({ algorithm: 'pyod', data: [[1], [1.1], [0.9], [1.05], [9]] })
      .expect(200);
  });
});
