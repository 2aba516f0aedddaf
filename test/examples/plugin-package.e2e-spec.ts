import { afterAll, describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { TerminusModule } from '@nestjs/terminus';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PluginManager, PluginModule } from 'nestjs-plugin-host';
import request from 'supertest';
import { HealthController } from '../../src/health/health.controller.js';
import { PluginsController } from '../../src/plugins/plugins.controller.js';

const here = fileURLToPath(new URL('.', import.meta.url));

describe('the plugin package of docs/plugin-packages.md (test/examples/hello-plugin)', () => {
  // A host folder with the package installed as npm would (copied into node_modules, listed in dependencies).
  const root = mkdtempSync(join(tmpdir(), 'hello-host-'));
  cpSync(join(here, 'hello-plugin'), join(root, 'node_modules/hello-plugin'), { recursive: true });
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ name: 'my-host', dependencies: { 'hello-plugin': '^1.0.0' } }),
  );
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is in docs/plugin-packages.md verbatim', () => {
    const readme = readFileSync(join(here, '../../docs/plugin-packages.md'), 'utf8');
    expect(readme).toContain(readFileSync(join(here, 'hello-plugin/package.json'), 'utf8'));
    expect(readme).toContain(readFileSync(join(here, 'hello-plugin/index.js'), 'utf8'));
  });

  it('shows up in GET /plugins and /health of an unchanged host, and serves calls', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [TerminusModule.forRoot(), PluginModule.forRoot({ discovery: { root }, hostVersion: '0.1.0' })],
      controllers: [PluginsController, HealthController],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      const http = request(app.getHttpServer());
      const plugins = await http.get('/plugins').expect(200);
      expect(plugins.body).toEqual([
        expect.objectContaining({
          name: 'hello',
          type: 'greeting',
          version: '1.0.0',
          state: 'enabled',
          source: expect.objectContaining({ kind: 'package', package: 'hello-plugin' }),
        }),
      ]);
      expect(app.get(PluginManager).get<{ greet(who: string): string }>('hello').greet('Nest')).toBe('hello, Nest');
      const health = await http.get('/health').expect(200);
      expect(health.body.info.plugins.hello).toEqual({
        status: 'up',
        state: 'enabled',
        version: '1.0.0',
        responseMs: expect.any(Number),
        details: { greeted: 1 },
      });
    } finally {
      await app.close();
    }
  });
});
