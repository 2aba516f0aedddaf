// What the isolate's runtime (plugin-runtime.mjs) reads off a plugin: its class among a module's exports, its methods
// and hooks, and what it threw, as plain data for the host (which checks all of it again). Plain JavaScript.

export const PLUGIN_METADATA = 'nestjs-plugin-host:plugin';
const HOOKS_METADATA = 'nestjs-plugin-host:hooks';

export function text(value, max) {
  if (typeof value === 'string') return value.slice(0, max);
  if (value === undefined || value === null) return undefined;
  try {
    return String(value).slice(0, max);
  } catch {
    return undefined;
  }
}

function plainDetails(details) {
  if (typeof details !== 'object' || details === null) return undefined;
  try {
    const json = JSON.stringify(details);
    return json !== undefined && json.length <= 16_384 ? JSON.parse(json) : undefined;
  } catch {
    return undefined;
  }
}

export function serializeError(error) {
  try {
    if (typeof error === 'object' && error !== null) {
      const code = typeof error.code === 'string' || typeof error.code === 'number' ? String(error.code) : undefined;
      return {
        name: text(error.name, 200) || 'Error',
        message: text(error.message, 16_384) ?? '',
        code,
        stack: text(error.stack, 32_768),
        details: plainDetails(error.details),
      };
    }
    return {
      name: 'Error',
      message:
        typeof error === 'string' ? error.slice(0, 16_384) : (text(JSON.stringify(error), 16_384) ?? String(error)),
    };
  } catch {
    return { name: 'Error', message: '(an error that could not be read)' };
  }
}

export function pickClass(exports, exportName) {
  if (exportName !== undefined) return exports[exportName];
  if (typeof exports.default === 'function') return exports.default;
  const decorated = Object.values(exports).filter(
    (value) => typeof value === 'function' && Reflect.getOwnMetadata?.(PLUGIN_METADATA, value),
  );
  return decorated.length === 1 ? decorated[0] : undefined;
}

export function methodsOf(instance) {
  const methods = new Map();
  for (
    let proto = Object.getPrototypeOf(instance);
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, key);
      if (key !== 'constructor' && key !== '__proto__' && typeof descriptor?.value === 'function' && !methods.has(key))
        methods.set(key, descriptor.value[Symbol.toStringTag] === 'AsyncFunction');
    }
  }
  return methods;
}

export function hooksOf(pluginClass) {
  const hooks = [];
  for (let current = pluginClass; current && current !== Function.prototype; current = Object.getPrototypeOf(current)) {
    hooks.push(...(Reflect.getOwnMetadata?.(HOOKS_METADATA, current) ?? []));
  }
  return hooks;
}
