import { afterEach, describe, expect, it } from '@jest/globals';
import {
  Body,
  Controller,
  Get,
  Inject,
  Injectable,
  forwardRef,
  Param,
  ParseIntPipe,
  Post,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { InjectPlugin, Plugin, PluginManager, PluginModule, type PluginLifecycle } from 'nestjs-plugin-host';
import request from 'supertest';
import { PackageTree, REPO } from './package-tree.js';

@Plugin({ name: 'scorer', type: 'algorithm', version: '1.0.0', compatibility: '^0.1.0' })
class ScorerPlugin {
  score(values: number[]): number {
    return values.reduce((sum, value) => sum + value, 0);
  }
}

@Injectable()
class ModelStore {
  static built = 0;
  readonly models = new Map<number, number[]>([[1, [1, 2, 3]]]);
  readonly generation: number;
  constructor() {
    this.generation = ++ModelStore.built;
  }
  ids(): number[] {
    return [...this.models.keys()];
  }
}

/** A host provider using the plugin's export by class. */
@Injectable()
class Catalog {
  constructor(readonly store: ModelStore) {}
}

/** Another plugin's controller using it: that plugin lists model-store in its dependencies. */
@Controller()
class ReaderController {
  constructor(private readonly store: ModelStore) {}
  @Get('ids')
  ids(): number[] {
    return this.store.ids();
  }
}

@Plugin({
  name: 'model-reader',
  type: 'processing',
  version: '1.0.0',
  compatibility: '^0.1.0',
  dependencies: { 'model-store': '^1.0.0' },
  controllers: [ReaderController],
})
class ModelReaderPlugin {}

/** Unexported: invisible outside the plugin. */
@Injectable()
class PrivateHelper {}

/** Lets requests with `x-user` through, as any guard in a plugin's controller would. */
@Injectable()
class UserGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest<{ headers: Record<string, string> }>().headers['x-user'] !== undefined;
  }
}

@Controller('models')
class ModelsController {
  constructor(
    private readonly store: ModelStore,
    @InjectPlugin('scorer') private readonly scorer: ScorerPlugin,
    // The plugin itself, by its class (declared below: hence forwardRef).
    @Inject(forwardRef(() => ModelStorePlugin)) private readonly plugin: { started: boolean },
  ) {}

  @Get()
  list(): { ids: number[]; started: boolean } {
    return { ids: [...this.store.models.keys()], started: this.plugin.started };
  }

  @Post(':id/score')
  @UseGuards(UserGuard)
  score(@Param('id', ParseIntPipe) id: number, @Body() body: { extra?: number }): { score: number } {
    return { score: this.scorer.score([...(this.store.models.get(id) ?? []), body.extra ?? 0]) };
  }
}

@Plugin({
  name: 'model-store',
  type: 'processing',
  version: '1.0.0',
  compatibility: '^0.1.0',
  dependencies: { scorer: '^1.0.0' },
  controllers: [ModelsController],
  providers: [ModelStore, UserGuard, PrivateHelper],
  exports: [ModelStore],
  routePrefix: 'models-api',
})
class ModelStorePlugin implements PluginLifecycle {
  started = false;
  initialize(): void {
    this.started = true;
  }
}

@Controller()
class CallerController {
  constructor(@InjectPlugin('scorer') private readonly scorer: ScorerPlugin) {}
  @Get('sum')
  sum(): number {
    return this.scorer.score([1, 2]);
  }
}

/** Calls scorer without depending on it: its route answers scorer's error while scorer is disabled. */
@Plugin({
  name: 'caller',
  type: 'processing',
  version: '1.0.0',
  compatibility: '^0.1.0',
  controllers: [CallerController],
})
class CallerPlugin {}

@Controller()
class DefaultPrefixController {
  @Get('hello')
  hello(): string {
    return 'hello from a plugin';
  }
}

@Plugin({
  name: 'greeter',
  type: 'processing',
  version: '1.0.0',
  compatibility: '^0.1.0',
  controllers: [DefaultPrefixController],
})
class GreeterPlugin {}

@Plugin({
  name: 'copycat',
  type: 'processing',
  version: '1.0.0',
  compatibility: '^0.1.0',
  controllers: [DefaultPrefixController],
  routePrefix: 'models-api',
})
class CopycatPlugin {}

@Injectable()
class Helper {
  help(): string {
    return 'helped';
  }
}

/** Providers and exports, no routes. */
@Plugin({
  name: 'helper',
  type: 'processing',
  version: '1.0.0',
  compatibility: '^0.1.0',
  providers: [Helper],
  exports: [Helper],
})
class HelperPlugin {}

@Injectable()
class HelperUser {
  constructor(readonly helper: Helper) {}
}

/** A `@Plugin()` provider of the app's own module (found by discoverProviders) with a controller. */
@Controller()
class ProvidedController {
  @Get('where')
  where(): string {
    return 'from a provider plugin';
  }
}

@Injectable()
@Plugin({
  name: 'provided',
  type: 'processing',
  version: '1.0.0',
  compatibility: '^0.1.0',
  controllers: [ProvidedController],
})
class ProvidedPlugin {}

/** What happened, in order: a slow request, its provider's onModuleDestroy, the plugin's cleanup. */
const events: string[] = [];
let release = (): void => undefined;

@Injectable()
class Recorder {
  onModuleDestroy(): void {
    events.push('provider destroyed');
  }
}

@Controller()
class SlowController {
  constructor(private readonly recorder: Recorder) {}
  @Get('slow')
  async slow(): Promise<string> {
    events.push('request started');
    await new Promise<void>((resolve) => (release = resolve));
    events.push('request answered');
    return 'done';
  }
}

@Plugin({
  name: 'slow',
  type: 'processing',
  version: '1.0.0',
  compatibility: '^0.1.0',
  controllers: [SlowController],
  providers: [Recorder],
})
class SlowPlugin implements PluginLifecycle {
  cleanup(): void {
    events.push('plugin cleaned up');
  }
}

@Controller('plugins/taken')
class HostController {
  @Get()
  taken(): string {
    return 'the host';
  }
}

@Plugin({
  name: 'squatter',
  type: 'processing',
  version: '1.0.0',
  compatibility: '^0.1.0',
  controllers: [DefaultPrefixController],
  routePrefix: 'plugins/taken',
})
class SquatterPlugin {}

describe('module plugins: a plugin with its own controllers and providers', () => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const start = async (
    plugins: (new () => object)[],
    globalPrefix?: string,
    globals?: (app: INestApplication) => void,
  ) => {
    const moduleRef = await Test.createTestingModule({
      imports: [PluginModule.forRoot({ plugins, env: {}, hostVersion: '0.1.0' })],
      controllers: [HostController],
      providers: plugins.includes(ModelStorePlugin) ? [Catalog] : [],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    if (globalPrefix) app.setGlobalPrefix(globalPrefix);
    globals?.(app);
    await app.init();
    return { http: request(app.getHttpServer()), plugins: app.get(PluginManager) };
  };

  it('serves its routes under the global prefix and its routePrefix, with its providers, the plugin and other plugins injected', async () => {
    const { http, plugins } = await start([ScorerPlugin, ModelStorePlugin], 'api');
    await http.get('/api/models-api/models').expect(200, { ids: [1], started: true });
    expect(plugins.info('model-store').routes).toEqual([
      { method: 'GET', path: '/api/models-api/models' },
      { method: 'POST', path: '/api/models-api/models/:id/score' },
    ]);
    expect(plugins.info('scorer').routes).toBeUndefined();
    // Pipes and guards in a plugin's controller work as in any Nest controller.
    await http.post('/api/models-api/models/1/score').send({ extra: 4 }).expect(403);
    await http.post('/api/models-api/models/1/score').set('x-user', 'u').send({ extra: 4 }).expect(201, { score: 10 });
    await http.post('/api/models-api/models/one/score').set('x-user', 'u').expect(400);
    await http.get('/models-api/models').expect(404); // only under the global prefix
  });

  it('answers 503 with the plugin error while the plugin is disabled, and serves again once it is enabled', async () => {
    const { http, plugins } = await start([ScorerPlugin, ModelStorePlugin]);
    await http.get('/models-api/models').expect(200);
    await plugins.disable('model-store');
    const refused = await http.get('/models-api/models').expect(503);
    expect(refused.body).toMatchObject({ code: 'PLUGIN_DISABLED', plugin: 'model-store' });
    expect(refused.body.message).toContain('Enable it');
    await plugins.enable('model-store');
    await http.get('/models-api/models').expect(200, { ids: [1], started: true });
  });

  it('reloads a class plugin: the same URL is served by a new application', async () => {
    const { http, plugins } = await start([ScorerPlugin, ModelStorePlugin]);
    await http.get('/models-api/models').expect(200);
    await plugins.reload('model-store');
    await http.get('/models-api/models').expect(200, { ids: [1], started: true });
  });

  it('disabling waits for the requests in flight, then runs cleanup and closes the application (onModuleDestroy)', async () => {
    const { http, plugins } = await start([SlowPlugin]);
    events.length = 0;
    const inFlight = http.get('/plugins/slow/slow').then((response) => response);
    while (!events.includes('request started')) await new Promise((resolve) => setTimeout(resolve, 5));
    const disabled = plugins.disable('slow');
    await http.get('/plugins/slow/slow').expect(503); // no new request gets in
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events).toEqual(['request started']); // nothing cleaned up under the request
    release();
    expect((await inFlight).text).toBe('done');
    await disabled;
    for (let waited = 0; !events.includes('provider destroyed') && waited < 2000; waited += 10)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(events.slice(0, 2)).toEqual(['request started', 'request answered']);
    expect(events).toContain('plugin cleaned up');
    expect(events).toContain('provider destroyed');
  });

  it('serves under plugins/<name> by default', async () => {
    const { http } = await start([GreeterPlugin]);
    await http.get('/plugins/greeter/hello').expect(200, 'hello from a plugin');
  });

  it('fails the later plugin with PLUGIN_ROUTE_CONFLICT when two plugins, or a plugin and the host, claim one prefix; the host runs', async () => {
    const { http, plugins } = await start([ScorerPlugin, ModelStorePlugin, CopycatPlugin, SquatterPlugin]);
    await http.get('/models-api/models').expect(200);
    expect(plugins.info('copycat')).toMatchObject({
      state: 'failed',
      error: {
        code: 'PLUGIN_ROUTE_CONFLICT',
        message: expect.stringContaining('plugin "model-store" serves /models-api'),
      },
    });
    expect(plugins.info('squatter')).toMatchObject({
      state: 'failed',
      error: { code: 'PLUGIN_ROUTE_CONFLICT', message: expect.stringContaining('the host serves /plugins/taken') },
    });
    await http.get('/plugins/taken').expect(200, 'the host');
  });

  it('injects its exports by class into the host and into plugins that depend on it: a stable reference across reloads, PLUGIN_DISABLED while disabled; unexported providers stay private', async () => {
    const { http, plugins } = await start([ScorerPlugin, ModelStorePlugin, ModelReaderPlugin]);
    const store = app?.get(Catalog).store as ModelStore;
    expect(store).toBeInstanceOf(ModelStore);
    expect(store.ids()).toEqual([1]);
    await http.get('/plugins/model-reader/ids').expect(200, [1]);
    const generation = store.generation;

    await plugins.reload('model-store');
    expect(app?.get(Catalog).store).toBe(store); // the same reference...
    expect(store.generation).toBeGreaterThan(generation); // ...now calling the new application's provider
    await http.get('/plugins/model-reader/ids').expect(200, [1]);

    // Disabling it disables the plugins that depend on it too.
    expect(await plugins.disable('model-store')).toMatchObject({ alsoDisabled: ['model-reader'] });
    expect(() => store.ids()).toThrow(expect.objectContaining({ code: 'PLUGIN_DISABLED', plugin: 'model-store' }));
    const refused = await http.get('/plugins/model-reader/ids').expect(503);
    expect(refused.body).toMatchObject({ code: 'PLUGIN_DISABLED', plugin: 'model-reader' });
    await plugins.enable('model-reader'); // enables what it depends on first
    expect(store.ids()).toEqual([1]);
    await http.get('/plugins/model-reader/ids').expect(200, [1]);

    expect(() => app?.get(PrivateHelper)).toThrow();
  });

  it('answers a plugin error thrown in a plugin controller as the host does (503 PLUGIN_DISABLED, not 500)', async () => {
    const { http, plugins } = await start([ScorerPlugin, CallerPlugin]);
    await http.get('/plugins/caller/sum').expect(200, '3');
    await plugins.disable('scorer');
    const refused = await http.get('/plugins/caller/sum').expect(503);
    expect(refused.body).toMatchObject({ code: 'PLUGIN_DISABLED', plugin: 'scorer' });
  });

  it("applies the host's global pipes, guards and interceptors to plugin routes", async () => {
    const { http } = await start([ScorerPlugin, ModelStorePlugin], undefined, (host) => {
      host.useGlobalGuards({ canActivate: (context) => context.switchToHttp().getRequest().headers['x-app'] === 'ok' });
      host.useGlobalInterceptors({
        intercept: (context, next) => {
          context.switchToHttp().getResponse().setHeader('x-intercepted', 'yes');
          return next.handle();
        },
      });
    });
    await http.get('/models-api/models').expect(403);
    const served = await http.get('/models-api/models').set('x-app', 'ok').expect(200);
    expect(served.headers['x-intercepted']).toBe('yes');
  });

  it('on Fastify, fails a plugin with routes at boot with PLUGIN_LOAD_FAILED naming the limitation; the host and providers-only plugins run', async () => {
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    const moduleRef = await Test.createTestingModule({
      imports: [
        PluginModule.forRoot({ plugins: [ScorerPlugin, GreeterPlugin, HelperPlugin], env: {}, hostVersion: '0.1.0' }),
      ],
      controllers: [HostController],
      providers: [HelperUser],
    }).compile();
    app = moduleRef.createNestApplication(new FastifyAdapter(), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    const plugins = app.get(PluginManager);
    expect(plugins.info('greeter')).toMatchObject({
      state: 'failed',
      error: { code: 'PLUGIN_LOAD_FAILED', message: expect.stringContaining('a fastify app cannot hand requests to') },
    });
    expect(plugins.info('greeter').error?.message).toContain('@nestjs/platform-express');
    expect(app.get(HelperUser).helper.help()).toBe('helped'); // no routes: its providers run on Fastify too
    await request(app.getHttpServer()).get('/plugins/taken').expect(200, 'the host');
  });

  it('serves the routes of a @Plugin() provider found in the app, and of a lazy package plugin, loaded by its first request', async () => {
    const tree = new PackageTree(REPO);
    try {
      tree.package(
        'plugins/lazy-routes',
        {
          name: 'lazy-routes-plugin',
          nestPlugin: {
            name: 'lazy-routes',
            type: 'custom',
            entry: './index.js',
            compatibility: '^0.1.0',
            routePrefix: 'lazy-api',
          },
        },
        {
          'index.js': `import { Controller, Get } from '@nestjs/common';
import { Plugin } from 'nestjs-plugin-host';
export class PingController { ping() { return 'loaded on demand'; } }
Get('ping')(PingController.prototype, 'ping', Object.getOwnPropertyDescriptor(PingController.prototype, 'ping'));
Controller()(PingController);
export class LazyRoutes {}
Plugin({ name: 'lazy-routes', type: 'custom', version: '1.0.0', controllers: [PingController] })(LazyRoutes);
`,
        },
      );
      const moduleRef = await Test.createTestingModule({
        imports: [
          PluginModule.forRoot({
            discovery: { root: tree.root, lazy: ['lazy-routes'] },
            env: {},
            hostVersion: '0.1.0',
          }),
        ],
        providers: [ProvidedPlugin],
      }).compile();
      app = moduleRef.createNestApplication({ logger: false });
      await app.init();
      const http = request(app.getHttpServer());
      const plugins = app.get(PluginManager);
      await http.get('/plugins/provided/where').expect(200, 'from a provider plugin');

      expect(plugins.info('lazy-routes').state).toBe('discovered'); // not imported yet: its manifest gave the prefix
      await http.get('/lazy-api/ping').expect(200, 'loaded on demand');
      expect(plugins.info('lazy-routes').state).toBe('enabled');
    } finally {
      await app?.close();
      app = undefined;
      tree.remove();
    }
  });

  it('runs a module plugin without HTTP (an application context): its providers run, its routes are not served', async () => {
    const context = await NestFactory.createApplicationContext(
      PluginModule.forRoot({ plugins: [ScorerPlugin, ModelStorePlugin], env: {}, hostVersion: '0.1.0' }),
      { logger: false },
    );
    try {
      expect(context.get(PluginManager).info('model-store').state).toBe('enabled');
      // Its providers are built before the host's modules initialize: its exports answer at once.
      expect(context.get(ModelStore).ids()).toEqual([1]);
    } finally {
      await context.close();
    }
  });
});
