import 'reflect-metadata';
import type { Type } from '@nestjs/common';

const HOOKS_METADATA = 'nestjs-plugin-host:hooks';

/** How one `@OnHook()` implementation runs among the others. */
export interface OnHookOptions {
  /** Higher runs first (default 0); equal priorities run in plugin dependency order. */
  priority?: number;
  /** ms this implementation may take (default: the plugin's `hook` timeout, 5000). */
  timeout?: number;
}

/** One `@OnHook()` method of a plugin class. */
export interface HookImplementation {
  hook: string;
  method: string;
  priority: number;
  timeout?: number;
}

/**
 * Marks a plugin method as an implementation of a host hook (pluggy style). The
 * host calls every enabled implementation with `hooks.call(name, payload)`; the
 * method gets the payload and a context with the plugin's logger and an
 * `AbortSignal` that aborts on timeout.
 *
 * @example
 * @OnHook('detection.completed', { priority: 10 })
 * async notify(result: DetectionSummary) { ... }
 */
export function OnHook(hook: string, options: OnHookOptions = {}): MethodDecorator {
  return (target, method) => {
    const constructor = target.constructor;
    const own = (Reflect.getOwnMetadata(HOOKS_METADATA, constructor) as HookImplementation[] | undefined) ?? [];
    Reflect.defineMetadata(
      HOOKS_METADATA,
      [...own, { hook, method: String(method), priority: options.priority ?? 0, timeout: options.timeout }],
      constructor,
    );
  };
}

/** The hook implementations of a class, its base classes' included (a subclass's method of the same name wins). */
export function hookImplementations(pluginClass: Type<object> | undefined): HookImplementation[] {
  const found = new Map<string, HookImplementation>();
  for (
    let current = pluginClass as object | null;
    current && current !== Function.prototype;
    current = Object.getPrototypeOf(current) as object | null
  ) {
    for (const implementation of (Reflect.getOwnMetadata(HOOKS_METADATA, current) as
      HookImplementation[] | undefined) ?? []) {
      const key = `${implementation.hook}\0${implementation.method}`;
      if (!found.has(key)) found.set(key, implementation);
    }
  }
  return [...found.values()];
}
