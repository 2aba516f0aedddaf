import type { Type } from '@nestjs/common';
import { PluginError, PluginErrorCode } from '../errors/index.js';

/**
 * How an injected plugin reference behaves, without a Proxy on the call path:
 *
 * - A plugin the library instantiates is injected as the instance itself (a call
 *   through it is a direct call). When it is disabled or failed, its prototype is
 *   swapped for one whose methods throw; enabling swaps the class prototype back.
 *   Swapping prototypes keeps the instance's fields and V8's fast properties.
 * - A plugin Nest instantiates elsewhere, or one not instantiated at injection
 *   time, is injected as a forwarder: a generated class whose methods call
 *   `this.target.method(...)`, pointed at the instance once there is one.
 */

// Nest calls these on every provider value, and plugin values are provider values
// (the name tokens): a reference must neither forward nor shadow them.
const NEST_HOOKS = new Set(['onModuleInit', 'onApplicationBootstrap', 'onModuleDestroy', 'beforeApplicationShutdown', 'onApplicationShutdown']);

/** Every method name along the class's prototype chain (what a reference must answer), but Nest's hooks. */
export function pluginMethodNames(pluginClass: Type<object>): string[] {
  const names = new Set<string>();
  for (let proto = pluginClass.prototype as object | null; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key === 'constructor' || NEST_HOOKS.has(key)) continue;
      const descriptor = Object.getOwnPropertyDescriptor(proto, key);
      if (descriptor && typeof descriptor.value === 'function') names.add(key);
    }
  }
  return [...names];
}

/**
 * A prototype standing in for the class's while the plugin cannot be called:
 * each method throws the error `unavailable()` gives at call time (so the message
 * says the plugin's current state). `instanceof` still holds.
 */
export function createUnavailablePrototype(pluginClass: Type<object>, unavailable: () => PluginError): object {
  const proto = Object.create(pluginClass.prototype as object) as Record<string, unknown>;
  for (const name of pluginMethodNames(pluginClass)) {
    Object.defineProperty(proto, name, {
      value: function pluginUnavailable(): never {
        throw unavailable();
      },
      writable: true,
      configurable: true,
    });
  }
  return proto;
}

/** Points an instance at `proto` unless it already is (a needless swap costs V8 a map change). */
export function swapPrototype(instance: object, proto: object): void {
  if (Object.getPrototypeOf(instance) !== proto) Object.setPrototypeOf(instance, proto);
}

/** A stable reference that forwards every method of `pluginClass` to its current target. */
export interface ForwardingReference {
  readonly reference: object;
  pointTo(target: object): void;
}

export function createForwardingReference(pluginClass: Type<object>, initialTarget: object): ForwardingReference {
  class PluginForwarder {
    target: Record<string, (...args: unknown[]) => unknown> = initialTarget as never;
  }
  Object.defineProperty(PluginForwarder, 'name', { value: `${pluginClass.name}Reference` });
  for (const name of pluginMethodNames(pluginClass)) {
    Object.defineProperty(PluginForwarder.prototype, name, {
      value: function forward(this: PluginForwarder, ...args: unknown[]): unknown {
        return this.target[name](...args);
      },
      writable: true,
      configurable: true,
    });
  }
  // Keep `instanceof PluginClass` true for the reference too.
  Object.setPrototypeOf(PluginForwarder.prototype, pluginClass.prototype as object);
  const reference = new PluginForwarder();
  return {
    reference,
    pointTo(target) {
      reference.target = target as never;
    },
  };
}

// Keys a runtime probes on any value (promises, inspection, serialisation, test
// matchers). Answering them keeps a missing-plugin reference inert until called.
const PROBED_KEYS = new Set(['then', 'toJSON', 'constructor', 'asymmetricMatch', 'nodeType', '$$typeof', 'inspect']);

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
