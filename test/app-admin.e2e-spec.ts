import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';

// The demo mounts the admin routes only when ADMIN_TOKEN is set when it starts.
const TOKEN = 'demo-admin-token-0123456789abcdef';
process.env.ADMIN_TOKEN = TOKEN;
const { AppModule } = await import('../src/app.module.js');
const { configureApp } = await import('../src/app.setup.js');

describe('demo host with ADMIN_TOKEN set', () => {
  let app: INestApplication;
  beforeAll(async () => {
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
