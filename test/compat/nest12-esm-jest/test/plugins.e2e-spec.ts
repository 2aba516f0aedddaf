import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { App } from 'supertest/types.js';
import { AppModule } from './../src/app.module.js';

describe('Plugins (e2e)', () => {
  let app: INestApplication<App>;

  beforeAll(async () => {
    const moduleFixture = await Test.createTestingModule({
      imports: [AppModule],
    }).compile();

    app = moduleFixture.createNestApplication();
    await app.init();
  });

  afterAll(async () => {
    await app.close();
  });

  it('/health (GET): both plugins up', async () => {
    const { body } = await request(app.getHttpServer())
      .get('/health')
      .expect(200);
    expect(body.status).toBe('ok');
    expect(body.info.plugins.greeting).toMatchObject({
      status: 'up',
      state: 'enabled',
    });
    expect(body.info.plugins.pyod).toMatchObject({
      status: 'up',
      state: 'enabled',
      version: '2.0.0',
    });
  });

  it('/anomalies (POST): pyod finds the far row', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => [
      Math.sin(i),
      Math.cos(i),
    ]);
    rows[7] = [40, -40];
    const { body } = await request(app.getHttpServer())
      .post('/anomalies')
      .send({ rows })
      .expect(201);
    expect(body.anomalies).toContain(7);
    expect(body.message).toBe('hello, anomaly hunter');
  });
});
