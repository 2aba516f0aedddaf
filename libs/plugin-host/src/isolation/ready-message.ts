import { PluginErrorCode } from '../errors/index.js';
import { isValidTimeout } from '../manifest/index.js';
import type { HookImplementation } from '../manifest/on-hook.decorator.js';
import { OBJECT_MEMBERS, PROTOCOL_LIMITS, Violation, brief, isName, isRecord, protocol } from './isolation-protocol.js';

// The isolate's first message, `ready`: what the plugin class offers. Read as untrusted input, as every message is
// (see isolation-protocol.ts).

const TIMEOUT_PHASES = new Set(['initialize', 'cleanup', 'healthCheck', 'hook']);
/** Names the host-side stand-in never takes: they would make it a thenable or rewrite its prototype chain. */
const REFUSED_NAMES = new Set(['then', 'constructor', '__proto__']);
export interface Ready {
  methods: string[];
  asyncMethods: string[];
  hooks: HookImplementation[];
  metadata: { description?: string; timeouts?: Record<string, number>; inject?: string[] };
  /** A module plugin's routes (method, path under its prefix), for `PluginManager.info`. */
  routes?: { method: string; path: string }[];
}

const ROUTE_METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'ALL', 'OPTIONS', 'HEAD', 'SEARCH']);
const MAX_ROUTES = 1000;
const MAX_ROUTE_PATH = 1024;

/** The routes a module plugin's isolate lists, or what is wrong with them. */
function routes(value: unknown): Ready['routes'] | Violation {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > MAX_ROUTES)
    return protocol(`its "ready" message's routes must be a list of at most ${MAX_ROUTES} (got ${brief(value)})`);
  const out: NonNullable<Ready['routes']> = [];
  for (const route of value as unknown[]) {
    const { method, path } = isRecord(route) ? route : {};
    if (typeof method !== 'string' || !ROUTE_METHODS.has(method))
      return protocol(`its "ready" message lists a route with method ${brief(method)}`);
    if (typeof path !== 'string' || !path.startsWith('/') || path.length > MAX_ROUTE_PATH)
      return protocol(`its "ready" message lists a route with path ${brief(path)}`);
    out.push({ method, path });
  }
  return out;
}

/** A list of names, or what is wrong with it. */
function names(value: unknown, field: string, max: number): string[] | Violation {
  if (!Array.isArray(value))
    return protocol(`its "ready" message's ${field} must be a list of names (got ${brief(value)})`);
  if (value.length > max)
    return protocol(`its "ready" message lists ${value.length} ${field}; at most ${max} are accepted`);
  const out: string[] = [];
  for (let i = 0; i < value.length; i++) {
    const name: unknown = value[i];
    if (!isName(name))
      return protocol(
        `its "ready" message's ${field}[${i}] must be a name of 1 to ${PROTOCOL_LIMITS.name} characters (got ${brief(name)})`,
      );
    out.push(name);
  }
  return out;
}

/** The isolate's `ready`: what the plugin class offers. */
export function readReady(raw: Record<string, unknown>, tier: string): Ready | Violation {
  const methods = names(raw.methods, 'methods', PROTOCOL_LIMITS.methods);
  if (methods instanceof Violation) return methods;
  for (const method of methods) {
    if (method === 'then')
      return new Violation(
        PluginErrorCode.MANIFEST_INVALID,
        `a plugin class cannot have a then() method: await and Nest would treat it as a promise; rename it`,
      );
    if (REFUSED_NAMES.has(method))
      return protocol(`its "ready" message lists a method named "${method}", which no plugin class exposes`);
  }
  const asyncMethods = names(raw.asyncMethods ?? [], 'asyncMethods', PROTOCOL_LIMITS.methods);
  if (asyncMethods instanceof Violation) return asyncMethods;
  const forwarded = new Set(methods.filter((method) => !OBJECT_MEMBERS.has(method)));

  if (!Array.isArray(raw.hooks))
    return protocol(`its "ready" message's hooks must be a list (got ${brief(raw.hooks)})`);
  if (raw.hooks.length > PROTOCOL_LIMITS.hooks)
    return protocol(
      `its "ready" message lists ${raw.hooks.length} hooks; at most ${PROTOCOL_LIMITS.hooks} are accepted`,
    );
  const hooks: HookImplementation[] = [];
  for (const entry of raw.hooks as unknown[]) {
    if (!isRecord(entry)) return protocol(`its "ready" message's hooks must be objects (got ${brief(entry)})`);
    const { hook, method, priority, timeout } = entry;
    if (!isName(hook) || !isName(method))
      return new Violation(
        PluginErrorCode.MANIFEST_INVALID,
        `an @OnHook() declaration needs a hook name and a method (got ${brief(hook)} on ${brief(method)})`,
      );
    if (!forwarded.has(method))
      return new Violation(
        PluginErrorCode.MANIFEST_INVALID,
        `@OnHook("${hook}") is on "${method}", which is not a method the ${tier} can forward`,
      );
    if (typeof priority !== 'number' || !Number.isFinite(priority))
      return new Violation(
        PluginErrorCode.MANIFEST_INVALID,
        `@OnHook("${hook}") priority must be a number (got ${brief(priority)})`,
      );
    if (timeout !== undefined && !isValidTimeout(timeout))
      return new Violation(
        PluginErrorCode.MANIFEST_INVALID,
        `@OnHook("${hook}") timeout must be a positive number of milliseconds (got ${brief(timeout)})`,
      );
    hooks.push({ hook, method, priority, ...(timeout !== undefined && { timeout }) });
  }

  const metadata = raw.metadata;
  if (!isRecord(metadata)) return protocol(`its "ready" message's metadata must be an object (got ${brief(metadata)})`);
  const read: Ready['metadata'] = {};
  if (typeof metadata.description === 'string')
    read.description = metadata.description.slice(0, PROTOCOL_LIMITS.description);
  if (metadata.timeouts !== undefined) {
    if (!isRecord(metadata.timeouts))
      return new Violation(
        PluginErrorCode.MANIFEST_INVALID,
        `@Plugin() timeouts must be an object of phase to milliseconds`,
      );
    const timeouts: Record<string, number> = {};
    for (const [phase, ms] of Object.entries(metadata.timeouts)) {
      if (!TIMEOUT_PHASES.has(phase))
        return new Violation(
          PluginErrorCode.MANIFEST_INVALID,
          `@Plugin() timeouts.${phase.slice(0, 60)} is not a phase (use ${[...TIMEOUT_PHASES].join(', ')})`,
        );
      if (!isValidTimeout(ms))
        return new Violation(
          PluginErrorCode.MANIFEST_INVALID,
          `@Plugin() timeouts.${phase} must be a positive number of milliseconds`,
        );
      timeouts[phase] = ms;
    }
    read.timeouts = timeouts;
  }
  if (metadata.inject !== undefined) {
    const inject = names(metadata.inject, 'inject tokens', PROTOCOL_LIMITS.inject);
    if (inject instanceof Violation) return inject;
    read.inject = inject;
  }
  const listed = routes(raw.routes);
  if (listed instanceof Violation) return listed;
  return { methods, asyncMethods, hooks, metadata: read, ...(listed && { routes: listed }) };
}
