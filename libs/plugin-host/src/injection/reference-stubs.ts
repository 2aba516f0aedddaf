import type { Type } from '@nestjs/common';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import { NEST_HOOKS, PROBED_KEYS, pluginMethodNames } from './plugin-reference.js';

/**
 * A prototype standing in for the class's while the plugin cannot be called:
 * each method throws (an async one rejects with) the error `unavailable()` gives
 * at call time, so the message says the plugin's current state.
 */
export function createUnavailablePrototype(pluginClass: Type<object>, unavailable: () => PluginError): object {
  const proto = Object.create(pluginClass.prototype as object) as Record<string, unknown>;
  for (const name of pluginMethodNames(pluginClass)) {
    // An async method's caller expects a rejected promise, not a throw.
    const value = returnsPromise(pluginClass, name)
      ? function pluginUnavailable(): Promise<never> {
          return Promise.reject(unavailable());
        }
      : function pluginUnavailable(): never {
          throw unavailable();
        };
    Object.defineProperty(proto, name, { value, writable: true, configurable: true });
  }
  return proto;
}

/** Whether calling `method` gives a Promise: an `async` method, or one whose declared return type is `Promise`. */
export function returnsPromise(pluginClass: Type<object>, method: string): boolean {
  const proto = pluginClass.prototype as Record<string, unknown>;
  const fn = proto[method] as { [Symbol.toStringTag]?: string } | undefined;
  return (
    fn?.[Symbol.toStringTag] === 'AsyncFunction' ||
    Reflect.getMetadata?.('design:returntype', proto, method) === Promise
  );
}

/**
 * The reference injected for a name no plugin has. It is the one place a Proxy
 * is used: there is no plugin to call, so there is no hot path to slow down.
 */
export function createMissingReference(name: string, knownNames: () => string[]): object {
  const notFound = (): PluginError => {
    const known = knownNames();
    return new PluginError(
      PluginErrorCode.NOT_FOUND,
      `no plugin named "${name}" is registered (known plugins: ${known.length ? known.join(', ') : 'none'}). List its class in PluginModule plugins, or fix the name in @InjectPlugin("${name}").`,
      { plugin: name },
    );
  };
  return new Proxy(Object.create(null) as object, {
    get(_target, key) {
      if (typeof key === 'symbol' || PROBED_KEYS.has(key) || NEST_HOOKS.has(key)) return undefined;
      return function pluginNotFound(): never {
        throw notFound();
      };
    },
  });
}
