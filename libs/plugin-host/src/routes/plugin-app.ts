import {
  Module,
  type DynamicModule,
  type INestApplication,
  type INestApplicationContext,
  type InjectionToken,
  type Provider,
  type Type,
} from '@nestjs/common';
import { ApplicationConfig, type ModuleRef } from '@nestjs/core';
import { PluginErrorFilter } from '../errors/plugin-error.filter.js';
import { exposedToken } from '../injection/host-access.js';
import { pluginInjections } from '../injection/inject-plugin.decorator.js';
import type { PluginExports, PluginReferences } from '../injection/index.js';
import { getPluginToken, getPluginTypeToken } from '../injection/plugin-tokens.js';
import type { PluginRecord } from '../registry/index.js';

/** What a module plugin's own application gets from the host. */
export interface PluginAppHost {
  references: PluginReferences;
  exports: PluginExports;
  /** The classes each plugin exports, by name (what a plugin listing it in `dependencies` may inject). */
  exportsOf: (name: string) => Type<object>[];
  /** Host providers the host lists in `expose`. */
  expose: InjectionToken[];
  moduleRef: ModuleRef;
}

/** A module plugin's own Nest application (Express, not listening: the host hands it requests), or its context without HTTP. */
export interface PluginApp {
  readonly app: INestApplicationContext;
  /** The Express handler of its routes (absent without HTTP). */
  readonly handle?: (req: unknown, res: unknown, next: (error?: unknown) => void) => void;
}

/**
 * Builds the Nest application of a module plugin (`http`: with an Express server to hand requests to; else only its
 * providers, in an application context): its controllers, providers and imports, plus what they may inject
 * from outside: the plugin itself (by its class: the stable reference), other plugins (`@InjectPlugin`,
 * `@InjectPlugins`), the exports of the plugins it lists in `dependencies` (by class) and the host providers both
 * sides allow (`@Plugin({ inject })` and the host's `expose`).
 * Its own application, so that a reload builds a new one from the new code and retires the old one whole.
 */
export async function buildPluginApp(record: PluginRecord, host: PluginAppHost, http: boolean): Promise<PluginApp> {
  const { NestFactory } = await import('@nestjs/core');
  const { metadata, pluginClass } = record;
  const providers: Provider[] = [...(metadata.providers ?? [])];
  if (pluginClass) providers.push({ provide: pluginClass, useValue: host.references.referenceOf(record.name) });
  for (const injection of injectionsOf([...(metadata.controllers ?? []), ...classesOf(metadata.providers)])) {
    providers.push(
      injection.kind === 'plugin'
        ? { provide: getPluginToken(injection.value), useValue: host.references.referenceOf(injection.value) }
        : { provide: getPluginTypeToken(injection.value), useValue: host.references.listOf(injection.value) },
    );
  }
  for (const dependency of Object.keys(metadata.dependencies ?? {}))
    for (const exported of host.exportsOf(dependency))
      providers.push({ provide: exported, useValue: host.exports.referenceOf(exported) });
  for (const token of metadata.inject ?? []) {
    // Both sides must allow it, as for ctx.get: the plugin declares it, the host exposes it.
    if (!host.expose.includes(token)) continue;
    const allowed = exposedToken(record.name, metadata, host.expose, token);
    providers.push({ provide: allowed, useFactory: () => host.moduleRef.get(allowed, { strict: false }) });
  }
  const root: DynamicModule = {
    module: namedModule(record.name),
    imports: metadata.imports ?? [],
    controllers: metadata.controllers ?? [],
    providers,
  };
  const options = { logger: ['error', 'warn'] as ('error' | 'warn')[], abortOnError: false };
  if (!http) return { app: await NestFactory.createApplicationContext(root, options) };
  const { ExpressAdapter } = await import('@nestjs/platform-express');
  const app: INestApplication = await NestFactory.create(root, new ExpressAdapter(), options);
  // A plugin error its code throws (another plugin disabled...) answers as in the host's routes; the host's global
  // pipes, guards, interceptors and filters (useGlobal* and APP_* providers) apply here too (its filters first).
  app.useGlobalFilters(new PluginErrorFilter());
  const globals = host.moduleRef.get(ApplicationConfig, { strict: false });
  if (globals) {
    app.useGlobalPipes(...globals.getGlobalPipes());
    app.useGlobalGuards(...globals.getGlobalGuards());
    app.useGlobalInterceptors(...globals.getGlobalInterceptors());
    app.useGlobalFilters(...globals.getGlobalFilters());
  }
  await app.init();
  return { app, handle: routerOf(app.getHttpAdapter().getInstance() as ExpressApp) };
}

type Handler = NonNullable<PluginApp['handle']>;
interface ExpressApp extends Handler {
  router?: { handle: Handler };
  _router?: { handle: Handler };
}

/**
 * What runs the plugin's routes: its Express router itself (Express 5 `router`, 4 `_router`). The host's Express has
 * already set the request up (prototypes, `req.res`, `X-Powered-By`), so going through the plugin application's own
 * `handle` would redo that per request, `Object.setPrototypeOf` included.
 */
function routerOf(express: ExpressApp): Handler {
  const router = express.router ?? express._router;
  return router ? (req, res, next) => router.handle(req, res, next) : express;
}

/** Each plugin application's root module is its own class (Nest keys modules by class), named after the plugin. */
function namedModule(name: string): DynamicModule['module'] {
  const PluginRoutesModule = class {};
  Object.defineProperty(PluginRoutesModule, 'name', { value: `PluginModule:${name}` });
  Module({})(PluginRoutesModule);
  return PluginRoutesModule;
}

function classesOf(providers: Provider[] | undefined): object[] {
  return (providers ?? []).flatMap((provider) =>
    typeof provider === 'function'
      ? [provider]
      : 'useClass' in provider && typeof provider.useClass === 'function'
        ? [provider.useClass]
        : [],
  );
}

function injectionsOf(classes: object[]): { kind: 'plugin' | 'type'; value: string }[] {
  const seen = new Map<string, { kind: 'plugin' | 'type'; value: string }>();
  for (const each of classes)
    for (const injection of pluginInjections(each)) seen.set(`${injection.kind}:${injection.value}`, injection);
  return [...seen.values()];
}
