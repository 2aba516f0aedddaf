import type { PluginError } from '../errors/index.js';
import { pluginErrorStatus } from '../errors/plugin-error.filter.js';

/** The parts of an Express application the routes use. */
export interface ExpressLike {
  use(path: string, handler: (req: unknown, res: unknown, next: (error?: unknown) => void) => void): unknown;
  router?: { stack?: { route?: { path?: unknown } }[] };
  _router?: { stack?: { route?: { path?: unknown } }[] };
}

/** The parts as one absolute path with single slashes (`/api/models-api/models`); empty parts are left out. */
export function joinPath(...parts: string[]): string {
  return `/${parts
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/')}`;
}

/** The paths of the host's own routes (Express 5 `router`, Express 4 `_router`). */
export function hostRoutes(express: ExpressLike): string[] {
  const stack = express.router?.stack ?? express._router?.stack ?? [];
  return stack.flatMap((layer) => (typeof layer.route?.path === 'string' ? [layer.route.path] : []));
}

/** Answers with the plugin error, as `PluginErrorFilter` does: 503 for a plugin that cannot serve now. */
export function errorBody(res: unknown, error: PluginError): void {
  const response = res as { statusCode: number; setHeader(name: string, value: string): void; end(body: string): void };
  const status = pluginErrorStatus(error);
  response.statusCode = status;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.end(JSON.stringify({ statusCode: status, code: error.code, plugin: error.plugin, message: error.message }));
}
