import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { joinPath } from './route-paths.js';

/** One route a module plugin serves. */
export interface PluginRoute {
  /** `GET`, `POST`, … (`ALL` for `@All()`). */
  method: string;
  /** The full path, global prefix and route prefix included, e.g. `/api/models-api/models/:id/score`. */
  path: string;
}

/** The routes `controllers` declare (with Nest's route decorators), under `mountPath`. */
export function routeList(mountPath: string, controllers: readonly Type<unknown>[]): PluginRoute[] {
  const routes: PluginRoute[] = [];
  for (const controller of controllers) {
    for (const base of paths(Reflect.getMetadata(PATH_METADATA, controller))) {
      for (const name of methodNames(controller)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        const method = Reflect.getMetadata(METHOD_METADATA, handler as object) as RequestMethod | undefined;
        if (method === undefined) continue;
        for (const path of paths(Reflect.getMetadata(PATH_METADATA, handler as object)))
          routes.push({ method: RequestMethod[method], path: joinPath(mountPath, base, path) });
      }
    }
  }
  return routes;
}

function paths(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((path): path is string => typeof path === 'string');
  return [typeof value === 'string' ? value : ''];
}

function methodNames(controller: Type<unknown>): string[] {
  const names = new Set<string>();
  for (
    let proto = controller.prototype as object | null;
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  )
    for (const name of Object.getOwnPropertyNames(proto))
      if (name !== 'constructor' && typeof Object.getOwnPropertyDescriptor(proto, name)?.value === 'function')
        names.add(name);
  return [...names];
}
