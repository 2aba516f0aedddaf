import { PluginError, PluginErrorCode } from '../errors/index.js';
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
export function errorBody(res: unknown, error: PluginError, status = pluginErrorStatus(error)): void {
  const response = res as { statusCode: number; setHeader(name: string, value: string): void; end(body: string): void };
  response.statusCode = status;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.end(JSON.stringify({ statusCode: status, code: error.code, plugin: error.plugin, message: error.message }));
}

/**
 * Why plugin `name` cannot serve under `path` (`PLUGIN_ROUTE_CONFLICT`): a prefix of another plugin (by name in
 * `served`) overlaps it, or the host serves a route under it. `undefined` when it can.
 */
export function routeConflict(
  name: string,
  path: string,
  served: ReadonlyMap<string, string>,
  hostPaths: string[],
): PluginError | undefined {
  const owner = [...served].find(
    ([, other]) => other === path || other.startsWith(`${path}/`) || path.startsWith(`${other}/`),
  );
  const hostRoute = hostPaths.find((route) => route === path || route.startsWith(`${path}/`));
  if (!owner && !hostRoute) return undefined;
  const why = owner ? `plugin "${owner[0]}" serves ${owner[1]}` : `the host serves ${hostRoute}`;
  return new PluginError(
    PluginErrorCode.ROUTE_CONFLICT,
    `plugin "${name}" cannot serve its routes under ${path}: ${why}. Give it another routePrefix in @Plugin({ routePrefix }) (or its manifest).`,
    { plugin: name, details: { path, taken: owner?.[1] ?? hostRoute } },
  );
}
