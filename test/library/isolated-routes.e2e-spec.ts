import { afterEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { PluginManager, PluginModule } from 'nestjs-plugin-host';
import request from 'supertest';
import { liveIsolates } from '../../libs/plugin-host/src/isolation/index.js';
import { PackageTree, REPO } from './package-tree.js';

/** A package plugin with a controller, written as a plugin author would in plain JavaScript (decorators applied by hand). */
function routedPlugin(tree: PackageTree, name: string, tier: 'worker' | 'process'): void {
  tree.package(
    `plugins/${name}`,
    {
      name: `${name}-plugin`,
      nestPlugin: {
        name,
        type: 'custom',
        entry: './index.js',
        compatibility: '^0.1.0',
        isolation: tier,
        routePrefix: 'sandbox',
      },
    },
    {
      'index.js': `import { Body, Controller, Get, Headers, Inject, Post, Query, Res } from '@nestjs/common';
import { writeFileSync } from 'node:fs';
import { Plugin } from 'nestjs-plugin-host';

export class SandboxPlugin {
  greeting = 'hello';
  initialize(config) { this.greeting = config.greeting ?? 'hello'; }
}

export class SandboxController {
  constructor(plugin) { this.plugin = plugin; }
  hello(who, headers, res) {
    res.setHeader('set-cookie', 'session=planted');
    res.setHeader('x-plugin', 'sandboxed');
    return { message: this.plugin.greeting + ' ' + (who ?? 'world'), pid: process.pid, saw: Object.keys(headers).filter((h) => /cookie|authorization|x-trace/.test(h)) };
  }
  echo(body) { return { received: body }; }
  slow() { return new Promise((resolve) => setTimeout(resolve, 10_000)); }
  crash() { process.exit(1); }
  write() { writeFileSync(${JSON.stringify(`${REPO}/.tmp-isolated-route-write`)}, 'escaped'); return 'written'; }
}
const route = (decorator, method) =>
  decorator(SandboxController.prototype, method, Object.getOwnPropertyDescriptor(SandboxController.prototype, method));
Inject(SandboxPlugin)(SandboxController, undefined, 0);
Query('who')(SandboxController.prototype, 'hello', 0);
Headers()(SandboxController.prototype, 'hello', 1);
Res({ passthrough: true })(SandboxController.prototype, 'hello', 2);
Body()(SandboxController.prototype, 'echo', 0);
route(Get('hello'), 'hello');
route(Post('echo'), 'echo');
route(Get('slow'), 'slow');
route(Get('crash'), 'crash');
route(Post('write'), 'write');
Controller()(SandboxController);
Plugin({ name: ${JSON.stringify(name)}, type: 'custom', version: '1.0.0', controllers: [SandboxController] })(SandboxPlugin);
`,
    },
  );
}

describe('isolated module plugins: routes served inside the worker or the process', () => {
  let app: INestApplication | undefined;
  let tree: PackageTree | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
    tree?.remove();
    expect(liveIsolates.size).toBe(0);
  });

  const start = async (tier: 'worker' | 'process', rule: { maxRequestBytes?: number; callTimeoutMs?: number } = {}) => {
    tree = new PackageTree(REPO);
    routedPlugin(tree, 'sandboxed', tier);
    const moduleRef = await Test.createTestingModule({
      imports: [
        PluginModule.forRoot({
          hostVersion: '0.1.0',
          env: {},
          discovery: { root: tree.root },
          config: { sandboxed: { greeting: 'hi' } },
          isolation: { sandboxed: { tier, ...rule } },
        }),
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.setGlobalPrefix('api');
    await app.init();
    return { http: request(app.getHttpServer()), plugins: app.get(PluginManager) };
  };

  for (const tier of ['worker', 'process'] as const) {
    it(`${tier}: serves the plugin's routes from inside the isolate, with query, body and the plugin injected; 503 while disabled`, async () => {
      const { http, plugins } = await start(tier);
      const hello = await http
        .get('/api/sandbox/hello?who=nest')
        .set('cookie', 'session=secret')
        .set('authorization', 'Bearer secret')
        .set('x-trace', '1')
        .expect(200);
      expect(hello.body.message).toBe('hi nest');
      // The untrusted plugin never sees the caller's credentials, nor sets cookies on the host's origin.
      expect(hello.body.saw).toEqual(['x-trace']);
      expect(hello.headers['set-cookie']).toBeUndefined();
      expect(hello.headers['x-plugin']).toBe('sandboxed');
      if (tier === 'process') expect(hello.body.pid).not.toBe(process.pid);
      expect(hello.headers['content-type']).toContain('application/json');
      await http
        .post('/api/sandbox/echo')
        .send({ values: [1, 2, 3] })
        .expect(201, { received: { values: [1, 2, 3] } });
      await http.get('/api/sandbox/missing').expect(404);
      expect(plugins.info('sandboxed').routes).toEqual([
        { method: 'GET', path: '/api/sandbox/hello' },
        { method: 'POST', path: '/api/sandbox/echo' },
        { method: 'GET', path: '/api/sandbox/slow' },
        { method: 'GET', path: '/api/sandbox/crash' },
        { method: 'POST', path: '/api/sandbox/write' },
      ]);
      await plugins.disable('sandboxed');
      const refused = await http.get('/api/sandbox/hello').expect(503);
      expect(refused.body).toMatchObject({ code: 'PLUGIN_DISABLED', plugin: 'sandboxed' });
      await plugins.enable('sandboxed');
      await http.get('/api/sandbox/hello').expect(200);
    });

    it(`${tier}: 413 above maxRequestBytes, 504 PLUGIN_TIMEOUT past callTimeoutMs, 503 PLUGIN_CRASHED when the isolate dies mid-request; the host stays up`, async () => {
      const { http } = await start(tier, { maxRequestBytes: 1000, callTimeoutMs: 400 });
      const big = 'x'.repeat(2000);
      const parsed = await http.post('/api/sandbox/echo').send({ big }).expect(413);
      expect(parsed.body).toMatchObject({ code: 'PLUGIN_RESOURCE_LIMIT', plugin: 'sandboxed' });
      await http.post('/api/sandbox/echo').set('content-type', 'text/plain').send(big).expect(413);
      await http.post('/api/sandbox/echo').send({ small: 1 }).expect(201);

      const slow = await http.get('/api/sandbox/slow').expect(504);
      expect(slow.body).toMatchObject({ code: 'PLUGIN_TIMEOUT', plugin: 'sandboxed' });

      await waitUntilServed(http);
      const crashed = await http.get('/api/sandbox/crash').expect(503);
      expect(crashed.body).toMatchObject({ code: 'PLUGIN_CRASHED', plugin: 'sandboxed' });
      await waitUntilServed(http); // restarted, within its crash budget
    });
  }

  it('process: a route that writes a file it was not granted answers 403 PLUGIN_ACCESS_DENIED; nothing is written', async () => {
    const { http } = await start('process');
    const denied = await http.post('/api/sandbox/write').expect(403);
    expect(denied.body).toMatchObject({ code: 'PLUGIN_ACCESS_DENIED', plugin: 'sandboxed' });
    expect(denied.body.message).toContain('allowWrite');
    const { existsSync } = await import('node:fs');
    expect(existsSync(`${REPO}/.tmp-isolated-route-write`)).toBe(false);
    await http.get('/api/sandbox/hello').expect(200);
  });
});

/** Polls until the plugin's routes answer again (its isolate restarted after a kill). */
async function waitUntilServed(http: ReturnType<typeof request>): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 100) {
    if ((await http.get('/api/sandbox/hello')).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the plugin did not serve again within 10 s');
}
