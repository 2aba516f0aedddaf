import type { Type } from '@nestjs/common';
import { forwardableParameters } from './forwardable-parameters.js';

/**
 * How an injected plugin reference behaves, without a Proxy on the call path.
 *
 * A reference is a small object that stays the same for the life of the app
 * while what it calls changes: the plugin's instance while it may run, a stub
 * whose methods throw `PLUGIN_DISABLED` while it is disabled or failed, a new
 * instance (of new code) after a reload. Its methods are generated per plugin
 * class (so V8 keeps each call site monomorphic) and do
 * `this[TARGET].method.apply(this[TARGET], arguments)`; a call that returns a
 * promise is counted until it settles, so a reload or disable can wait for the
 * calls in flight on the old instance before cleaning it up.
 */

/** The current target and its in-flight counter live under symbols, so no plugin field or method can collide with them. */
const TARGET = Symbol('plugin target');
const CALLS = Symbol('plugin calls in flight');

// Nest calls these on every provider value, and references are provider values (the
// name tokens): a reference neither forwards them nor lets them resolve to the plugin
// class's own hooks (which would run with the reference as `this`).
export const NEST_HOOKS = new Set([
  'onModuleInit',
  'onApplicationBootstrap',
  'onModuleDestroy',
  'beforeApplicationShutdown',
  'onApplicationShutdown',
]);
// Nor `then`: a reference that looked like a promise would be awaited (by Nest, by any caller) instead of used.
const NEVER_FORWARDED = new Set([...NEST_HOOKS, 'then']);

/** Counts the promise-returning calls in flight on one target. */
export class InFlightCalls {
  private count = 0;
  private waiters: (() => void)[] = [];
  private readonly settled = (): void => {
    if (--this.count > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  };

  /** Counts `promise` until it settles (either way). The caller keeps the promise itself. */
  track(promise: PromiseLike<unknown>): void {
    this.count++;
    promise.then(this.settled, this.settled);
  }

  get size(): number {
    return this.count;
  }

  /** Resolves when no counted call is in flight (at once when none is). */
  idle(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((wake) => this.waiters.push(wake));
  }
}

/** A stable reference and the handle that aims it. */
export interface PluginReference {
  readonly reference: object;
  /** Calls from now on go to `target`. Returns the counter of the calls still in flight on the previous target. */
  pointTo(target: object): InFlightCalls;
  /** The plugin's class is (now) this one: methods forward as it declares them (after a lazy import or a reload). */
  adopt(pluginClass: Type<object>): void;
}

type ReferenceObject = { [TARGET]: object; [CALLS]: InFlightCalls };

/**
 * A reference forwarding to `initialTarget`. Without a class (a lazy plugin not
 * imported yet) every method called goes to `beforeLoad` until `adopt` is called.
 */
export function createPluginReference(
  pluginClass: Type<object> | undefined,
  initialTarget: object,
  beforeLoad: (method: string, args: unknown[]) => Promise<unknown> = () =>
    Promise.reject(new Error('this plugin reference has no class to forward to')),
): PluginReference {
  const reference = Object.create(
    pluginClass ? forwarderPrototype(pluginClass) : unloadedPrototype(beforeLoad),
  ) as ReferenceObject;
  reference[TARGET] = initialTarget;
  reference[CALLS] = new InFlightCalls();
  return {
    reference,
    pointTo(target) {
      const previous = reference[CALLS];
      if (reference[TARGET] === target) return new InFlightCalls();
      reference[TARGET] = target;
      reference[CALLS] = new InFlightCalls();
      return previous;
    },
    adopt(next) {
      const proto = forwarderPrototype(next);
      if (Object.getPrototypeOf(reference) !== proto) Object.setPrototypeOf(reference, proto);
    },
  };
}

// Keys a runtime probes on any value (promises, inspection, serialisation, test
// matchers). Answering them keeps a missing-plugin reference inert until called.
export const PROBED_KEYS = new Set([
  'then',
  'toJSON',
  'constructor',
  'asymmetricMatch',
  'nodeType',
  '$$typeof',
  'inspect',
]);

/** The prototype of a lazy plugin's reference before its class is known: the one Proxy, gone after the first load. */
function unloadedPrototype(beforeLoad: (method: string, args: unknown[]) => Promise<unknown>): object {
  return new Proxy(Object.create(null) as object, {
    get(_target, key) {
      if (typeof key === 'symbol' || PROBED_KEYS.has(key) || NEST_HOOKS.has(key)) return undefined;
      return (...args: unknown[]) => beforeLoad(key, args);
    },
  });
}

const forwarderPrototypes = new WeakMap<Type<object>, object>();

/**
 * One per class: forwarding methods, over the class's prototype so
 * `instanceof PluginClass` holds. Each method is compiled on its own
 * (`new Function`), so its call site only ever sees this plugin's class.
 */
function forwarderPrototype(pluginClass: Type<object>): object {
  let proto = forwarderPrototypes.get(pluginClass);
  if (proto) return proto;
  proto = Object.create(pluginClass.prototype as object) as object;
  for (const name of pluginMethodNames(pluginClass)) {
    // Compiled on first call: a host with many plugins pays only for the methods it uses.
    const target = proto;
    const compileOnFirstCall = function (this: ReferenceObject, ...args: unknown[]): unknown {
      const forward = compileForwarder(pluginClass, name);
      Object.defineProperty(target, name, { value: forward, writable: true, configurable: true });
      return forward.apply(this, args);
    };
    Object.defineProperty(compileOnFirstCall, 'name', { value: name });
    Object.defineProperty(proto, name, { value: compileOnFirstCall, writable: true, configurable: true });
  }
  for (const key of NEVER_FORWARDED)
    Object.defineProperty(proto, key, { value: undefined, writable: true, configurable: true });
  forwarderPrototypes.set(pluginClass, proto);
  return proto;
}

/**
 * One forwarding method, compiled on its own (`new Function`) so its call site
 * only ever sees this plugin's class; with named parameters when the method's
 * list allows it, so V8 inlines the call as it would a direct one.
 */
function compileForwarder(pluginClass: Type<object>, name: string): (...args: unknown[]) => unknown {
  const key = JSON.stringify(name);
  const params = forwardableParameters(methodOf(pluginClass, name));
  const call = params === undefined ? `target[${key}].apply(target, arguments)` : `target[${key}](${params})`;
  const forward = new Function(
    'TARGET',
    'CALLS',
    `return function (${params ?? ''}) {
      const target = this[TARGET];
      const result = ${call};
      if (typeof result === 'object' && result !== null && typeof result.then === 'function') this[CALLS].track(result);
      return result;
    };`,
  )(TARGET, CALLS) as (...args: unknown[]) => unknown;
  Object.defineProperty(forward, 'name', { value: name });
  return forward;
}

function methodOf(pluginClass: Type<object>, name: string): unknown {
  for (
    let proto = pluginClass.prototype as object | null;
    proto;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (descriptor) return descriptor.value;
  }
  return undefined;
}

/**
 * Lets a reference read and write the instance's own fields (those it has once
 * constructed), so `reference.someField` means the live instance's field.
 */
export function exposeFields(pluginClass: Type<object>, instance: object): void {
  const proto = forwarderPrototype(pluginClass);
  for (const key of Object.keys(instance)) {
    if (key in proto) continue;
    Object.defineProperty(proto, key, {
      get(this: ReferenceObject) {
        return (this[TARGET] as Record<string, unknown>)[key];
      },
      set(this: ReferenceObject, value: unknown) {
        (this[TARGET] as Record<string, unknown>)[key] = value;
      },
      configurable: true,
    });
  }
}

/** Every method name along the class's prototype chain (what a reference must answer), but Nest's hooks. */
export function pluginMethodNames(pluginClass: Type<object>): string[] {
  const names = new Set<string>();
  for (
    let proto = pluginClass.prototype as object | null;
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key === 'constructor' || NEVER_FORWARDED.has(key)) continue;
      const descriptor = Object.getOwnPropertyDescriptor(proto, key);
      if (descriptor && typeof descriptor.value === 'function') names.add(key);
    }
  }
  return [...names];
}
