import type { InjectionToken } from '@nestjs/common';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import { exposedToken } from '../injection/host-access.js';
import type { PluginRecord } from '../registry/index.js';
import type { HostCall } from './isolated-plugin.js';

/**
 * Host calls from the plugin's isolate (`ctx.get(token).method(...)`): only tokens the plugin declared and the host
 * exposes (`resolve` gets the provider), and only methods of the service's class.
 */
export function hostCalls(
  record: PluginRecord,
  expose: InjectionToken[],
  resolve: (token: InjectionToken) => unknown,
): HostCall {
  return async (token, method, args) => {
    const exposed = exposedToken(record.name, record.metadata, expose, token);
    const service = resolve(exposed);
    const callable = serviceMethod(service, method);
    if (!callable)
      throw new PluginError(
        PluginErrorCode.ACCESS_DENIED,
        `plugin "${record.name}" called "${method}" on host service "${token}", which has no such method a plugin may call (only the methods of its class, not Object's: constructor, toString, __proto__, …).`,
        { plugin: record.name },
      );
    return callable.apply(service, args);
  };
}

/**
 * A method a plugin may call on a host service: a function-valued data property of the service itself or of a
 * prototype of its class, never one of Object.prototype's members (`constructor`, `toString`, `__proto__`, …)
 * and never a getter (which would run on lookup).
 */
function serviceMethod(service: unknown, method: string): ((...args: unknown[]) => unknown) | undefined {
  if (
    method === 'constructor' ||
    method === '__proto__' ||
    (typeof service !== 'object' && typeof service !== 'function') ||
    service === null
  )
    return undefined;
  for (
    let holder: object | null = service;
    holder !== null && holder !== Object.prototype && holder !== Function.prototype;
    holder = Object.getPrototypeOf(holder) as object | null
  ) {
    const descriptor = Object.getOwnPropertyDescriptor(holder, method);
    if (descriptor)
      return typeof descriptor.value === 'function' ? (descriptor.value as (...args: unknown[]) => unknown) : undefined;
  }
  return undefined;
}
