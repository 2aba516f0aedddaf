import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { App } from 'supertest/types.js';
import { ConfiguredAppModule } from './../src/configured-app.module.js';

describe('Plugin options from ConfigService (e2e)', () => {
  let app: INestApplication<App>;

  beforeAll(async () => {
    process.env.DISABLED_PLUGINS = 'greeting';
    const moduleFixture = await Test.createTestingModule({
      imports: [ConfiguredAppModule],
    }).compile();
    app = moduleFixture.createNestApplication();
    await app.init();
  });

  afterAll(async () => {
    await app.close();
    delete process.env.DISABLED_PLUGINS;
  });

  it('/health (GET): greeting disabled by DISABLED_PLUGINS, pyod up', async () => {
    const { body } = await request(app.getHttpServer())
      .get('/health')
      .expect(200);
    // A disabled plugin is not checked, so /health does not list it.
    expect(body.info.plugins.greeting).toBeUndefined();
    expect(body.info.plugins.pyod).toMatchObject({
      status: 'up',
      state: 'enabled',
    });
  });
});
