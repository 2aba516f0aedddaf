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

/** A stable reference that forwards every method of a plugin class to its current target. */
export interface ForwardingReference {
  readonly reference: object;
  pointTo(target: object): void;
  /** The class is known now (a lazy plugin was imported): calls forward from here on, with no Proxy in the way. */
  adopt(pluginClass: Type<object>): void;
}

export function createForwardingReference(pluginClass: Type<object>, initialTarget: object): ForwardingReference {
  const reference = Object.create(forwarderPrototype(pluginClass)) as { target: object };
  reference.target = initialTarget;
  return handleOf(reference);
}

/**
 * The reference of a lazy plugin whose class is not imported yet: any method
 * called on it goes to `beforeLoad` (which loads the plugin). Once `adopt`ed it is
 * a plain forwarder; the Proxy is only ever on the calls before the first load.
 */
export function createLazyReference(beforeLoad: (method: string, args: unknown[]) => Promise<unknown>): ForwardingReference {
  const unloaded = new Proxy(Object.create(null) as object, {
    get(_target, key) {
      if (typeof key === 'symbol' || PROBED_KEYS.has(key) || NEST_HOOKS.has(key)) return undefined;
      return (...args: unknown[]) => beforeLoad(key, args);
    },
  });
  const reference = Object.create(unloaded) as { target: object };
  reference.target = Object.create(null) as object;
  return handleOf(reference);
}

function handleOf(reference: { target: object }): ForwardingReference {
  return {
    reference,
    pointTo(target) {
      reference.target = target;
    },
    adopt(pluginClass) {
      Object.setPrototypeOf(reference, forwarderPrototype(pluginClass));
    },
  };
}

/** Methods that call `this.target.method(...)`, over the class's prototype so `instanceof PluginClass` holds. */
function forwarderPrototype(pluginClass: Type<object>): object {
  const proto = Object.create(pluginClass.prototype as object) as object;
  for (const name of pluginMethodNames(pluginClass)) {
    Object.defineProperty(proto, name, {
      value: function forward(this: { target: Record<string, (...args: unknown[]) => unknown> }, ...args: unknown[]): unknown {
        return this.target[name](...args);
      },
      writable: true,
      configurable: true,
    });
  }
  return proto;
}

/** Whether calling `method` gives a Promise: an `async` method, or one whose declared return type is `Promise`. */
export function returnsPromise(pluginClass: Type<object>, method: string): boolean {
  const proto = pluginClass.prototype as Record<string, unknown>;
  const fn = proto[method] as { [Symbol.toStringTag]?: string } | undefined;
  return fn?.[Symbol.toStringTag] === 'AsyncFunction' || Reflect.getMetadata?.('design:returntype', proto, method) === Promise;
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
