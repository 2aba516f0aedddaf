// The routes of an isolated module plugin (`@Plugin({ controllers, providers, imports })`), served inside the
// isolate: its own Nest application (Express, never listening), built from the Nest packages the plugin itself
// resolves. The host forwards each request to its prefix as a message; it is injected here (light-my-request, the
// injector Fastify's `inject` uses) and the response goes back as status, headers and body. Plain JavaScript.
import { Buffer } from 'node:buffer';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fail } from './channel.mjs';

/** Whether the plugin serves routes of its own. */
export function hasRoutes(metadata) {
  return Array.isArray(metadata.controllers) && metadata.controllers.length > 0;
}

/**
 * Builds the plugin's application: its controllers, providers and imports, with the plugin instance injectable by
 * its class. `logger` is the isolate's (its lines go to the host's log).
 */
export async function buildRoutes({ entryUrl, name, tier, metadata, pluginClass, plugin, logger }) {
  const require = createRequire(fileURLToPath(entryUrl));
  const load = async (id) => {
    let path;
    try {
      path = require.resolve(id);
    } catch {
      throw fail(
        'PLUGIN_DEPENDENCY_MISSING',
        `plugin "${name}" serves routes in its ${tier}, which needs ${id} resolvable from its package. Install it in the app (it is a peer dependency of Nest apps).`,
      );
    }
    const module = await import(pathToFileURL(path).href);
    return module.default && !module.NestFactory && !module.Module && !module.ExpressAdapter ? module.default : module;
  };
  const [{ NestFactory, BaseExceptionFilter }, { Module, Catch }, { ExpressAdapter }] = await Promise.all([
    load('@nestjs/core'),
    load('@nestjs/common'),
    load('@nestjs/platform-express'),
  ]);
  const { inject } = await import('light-my-request');

  class PluginRoutesModule {}
  Object.defineProperty(PluginRoutesModule, 'name', { value: `PluginModule:${name}` });
  Module({
    imports: metadata.imports ?? [],
    controllers: metadata.controllers,
    // The plugin itself, by its class and by @InjectPlugin(its name) (getPluginToken's token; other plugins stay in
    // the host).
    providers: [
      ...(metadata.providers ?? []),
      { provide: pluginClass, useValue: plugin },
      { provide: `nestjs-plugin-host:plugin:${name}`, useValue: plugin },
    ],
  })(PluginRoutesModule);
  const app = await NestFactory.create(PluginRoutesModule, new ExpressAdapter(), { logger, abortOnError: false });
  app.useGlobalFilters(accessDeniedFilter({ Catch, BaseExceptionFilter, adapter: app.getHttpAdapter(), name, tier }));
  await app.init();
  const handler = app.getHttpAdapter().getInstance();

  return {
    /** One forwarded request: its response as plain data. */
    async serve({ method, url, headers, body }) {
      const response = await inject(handler, { method, url, headers, payload: body ? Buffer.from(body) : undefined });
      const answer = {};
      for (const [key, value] of Object.entries(response.headers))
        if (value !== undefined) answer[key] = Array.isArray(value) ? value.map(String) : String(value);
      return { status: response.statusCode, headers: answer, body: new Uint8Array(response.rawPayload) };
    },
    close: () => app.close(),
  };
}

/**
 * A route that reaches past the permission model (writes a file it was not granted...) answers 403 with
 * `PLUGIN_ACCESS_DENIED` and what to grant, instead of Nest's bare 500: the isolate stays up, the host untouched.
 */
function accessDeniedFilter({ Catch, BaseExceptionFilter, adapter, name, tier }) {
  class AccessDeniedFilter extends BaseExceptionFilter {
    catch(error, host) {
      if (error?.code !== 'ERR_ACCESS_DENIED') return super.catch(error, host);
      const resource = error.resource ? ` ${error.resource}` : '';
      host
        .switchToHttp()
        .getResponse()
        .status(403)
        .json({
          statusCode: 403,
          code: 'PLUGIN_ACCESS_DENIED',
          plugin: name,
          message: `plugin "${name}" (${tier}) was denied ${error.permission ?? 'access'}${resource}. Grant it in the host's isolation options (allowRead / allowWrite) if it needs it.`,
        });
    }
  }
  Catch()(AccessDeniedFilter);
  return new AccessDeniedFilter(adapter);
}
