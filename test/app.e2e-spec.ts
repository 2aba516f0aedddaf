import { afterEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../src/app.module.js';
import { configureApp } from '../src/app.setup.js';

/** Gaussian-ish cluster around (0, 0) plus two far rows at the end. */
function clusterWithOutliers(): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < 60; i++) rows.push([Math.sin(i * 1.7) * 0.5, Math.cos(i * 2.3) * 0.5]);
  rows.push([8, 8], [-9, 7]);
  return rows;
}

describe('anomaly-detection host (e2e)', () => {
  let app: INestApplication | undefined;
  const saved = { ...process.env };

  afterEach(async () => {
    await app?.close();
    app = undefined;
    process.env = { ...saved };
  });

  const start = async (env: Record<string, string> = {}) => {
    Object.assign(process.env, env);
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = configureApp(moduleRef.createNestApplication({ logger: false }));
    await app.init();
    return request(app.getHttpServer());
  };

  it('GET /health reports the pyod plugin up', async () => {
    const http = await start();
    const response = await http.get('/health').expect(200);
    expect(response.body.info.plugins).toMatchObject({ status: 'up', pyod: { status: 'up', state: 'enabled', version: '1.2.0' } });
  });

  it('GET /plugins lists the plugins with their state', async () => {
    const http = await start();
    const response = await http.get('/plugins').expect(200);
    expect(response.body).toEqual([expect.objectContaining({ name: 'pyod', type: 'algorithm', state: 'enabled', version: '1.2.0' })]);
    const report = await http.get('/plugins/report').expect(200);
    expect(report.body).toMatchObject({ summary: { enabled: 1 }, plugins: [{ name: 'pyod', outcome: 'enabled' }] });
  });

  it('POST /detect returns per-row scores and labels and finds the far rows (Isolation Forest and ECOD)', async () => {
    const http = await start();
    const data = clusterWithOutliers();
    for (const method of ['iforest', 'ecod']) {
      const response = await http
        .post('/detect')
        .send({ algorithm: 'pyod', data, params: { method, contamination: 0.05 } })
        .expect(200);
      expect(response.body.scores).toHaveLength(data.length);
      expect(response.body.labels).toHaveLength(data.length);
      expect(response.body.anomalies).toEqual(expect.arrayContaining([60, 61]));
      expect(response.body.anomalies.length).toBeLessThanOrEqual(4);
    }
  });

  it('answers a bad body with a 400 that says what is wrong', async () => {
    const http = await start();
    const missing = await http
      .post('/detect')
      .send({ data: [[1], [2]] })
      .expect(400);
    expect(missing.body.message).toEqual(expect.arrayContaining([expect.stringContaining('algorithm must be a string')]));
    const ragged = await http
      .post('/detect')
      .send({ algorithm: 'pyod', data: [[1, 2], [3]] })
      .expect(400);
    expect(ragged.body.message).toEqual(['data: row 1 has 1 value, expected 2']);
    const strings = await http
      .post('/detect')
      .send({ algorithm: 'pyod', data: [['a'], ['b']] })
      .expect(400);
    expect(strings.body.message[0]).toContain('row 0, column 0: "a" is not a number');
    const params = await http
      .post('/detect')
      .send({ algorithm: 'pyod', data: [[1], [2]], params: { contamination: 2 } })
      .expect(400);
    expect(params.body.message).toEqual(['params: contamination must be a number in (0, 0.5]']);
    const extra = await http
      .post('/detect')
      .send({ algorithm: 'pyod', data: [[1], [2]], verbose: true })
      .expect(400);
    expect(extra.body.message).toEqual(['property verbose should not exist']);
  });

  it('answers an unknown algorithm with 404 PLUGIN_NOT_FOUND', async () => {
    const http = await start();
    const response = await http
      .post('/detect')
      .send({ algorithm: 'lof', data: [[1], [2]] })
      .expect(404);
    expect(response.body).toMatchObject({ code: 'PLUGIN_NOT_FOUND', plugin: 'lof' });
  });

  it('keeps serving with pyod disabled by DISABLED_PLUGINS, answering /detect with 503 PLUGIN_DISABLED', async () => {
    const http = await start({ DISABLED_PLUGINS: 'pyod' });
    const plugins = await http.get('/plugins').expect(200);
    expect(plugins.body[0]).toMatchObject({ name: 'pyod', state: 'disabled' });
    const response = await http
      .post('/detect')
      .send({ algorithm: 'pyod', data: [[1], [2]] })
      .expect(503);
    expect(response.body).toMatchObject({ code: 'PLUGIN_DISABLED', message: expect.stringContaining('it is disabled') });
    await http.get('/health').expect(200);
  });

  it('takes plugin config from env PLUGIN_PYOD_<KEY>, and fails only pyod when it is invalid', async () => {
    const http = await start({ PLUGIN_PYOD_CONTAMINATION: '0.9' });
    const info = await http.get('/plugins/pyod').expect(200);
    expect(info.body).toMatchObject({ state: 'failed', error: { code: 'PLUGIN_CONFIG_INVALID' } });
    expect(info.body.error.message).toContain('contamination = 0.9 from env PLUGIN_PYOD_CONTAMINATION: contamination must not be greater than 0.5');
    const health = await http.get('/health').expect(200);
    expect(health.body.info.plugins.pyod).toMatchObject({ status: 'down', code: 'PLUGIN_CONFIG_INVALID' });
  });
});
