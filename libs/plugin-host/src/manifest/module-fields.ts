import { describeValue } from '../errors/index.js';
import type { PluginMetadata } from './plugin-metadata.interface.js';

/** A route prefix: path segments of letters, digits and `-._~`, separated by `/`, no leading or trailing `/`. */
const ROUTE_PREFIX = /^[A-Za-z0-9][A-Za-z0-9._~-]*(?:\/[A-Za-z0-9][A-Za-z0-9._~-]*)*$/;

/** What is wrong with a module plugin's fields (`controllers`, `providers`, `exports`, `imports`, `routePrefix`), if anything. */
export function moduleFieldProblems(metadata: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const { controllers, providers, imports, routePrefix, exports } = metadata;
  if (controllers !== undefined && (!Array.isArray(controllers) || controllers.some((c) => typeof c !== 'function')))
    problems.push('controllers must be an array of @Controller() classes');
  if (providers !== undefined && !Array.isArray(providers))
    problems.push('providers must be an array of Nest providers');
  if (exports !== undefined) {
    const provided = new Set(
      (Array.isArray(providers) ? providers : []).map((p: unknown) =>
        typeof p === 'function' ? p : (p as { provide?: unknown } | null)?.provide,
      ),
    );
    if (!Array.isArray(exports) || exports.some((e) => typeof e !== 'function'))
      problems.push('exports must be an array of provider classes');
    else
      for (const exported of exports as { name: string }[])
        if (!provided.has(exported))
          problems.push(
            `exports lists ${exported.name}, which is not in its providers; add it to providers or remove it from exports`,
          );
  }
  if (imports !== undefined && !Array.isArray(imports)) problems.push('imports must be an array of Nest modules');
  if (routePrefix !== undefined && (typeof routePrefix !== 'string' || !ROUTE_PREFIX.test(routePrefix)))
    problems.push(
      `routePrefix ${describeValue(routePrefix)} must be a path such as "models-api" or "plugins/models" (letters, digits, "-._~" and "/" between segments)`,
    );
  return problems;
}

/** A module plugin: controllers or providers of its own, or a package manifest's routePrefix (known before import). */
export function isModulePlugin({ controllers, providers, routePrefix }: PluginMetadata): boolean {
  return Boolean(controllers?.length || providers?.length || routePrefix);
}

/** Has routes to serve: controllers, or a manifest's routePrefix (a package whose code is not imported yet). */
export function hasRoutes({ controllers, routePrefix }: PluginMetadata): boolean {
  return Boolean(controllers?.length || routePrefix);
}
