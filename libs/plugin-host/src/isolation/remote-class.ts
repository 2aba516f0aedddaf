import type { Type } from '@nestjs/common';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import { OnHook } from '../manifest/on-hook.decorator.js';
import { OBJECT_MEMBERS, type RemoteError } from './isolation-protocol.js';
import type { Ready } from './ready-message.js';

const LIFECYCLE_WITH_CONFIG = new Set(['initialize', 'configure', 'checkRequirements']);
const LIFECYCLE = new Set([...LIFECYCLE_WITH_CONFIG, 'healthCheck', 'cleanup']);
/** What the generated methods send: a call, a lifecycle phase or a hook. */
interface RemoteCalls {
  call(method: string, args: unknown[]): Promise<unknown>;
  phase(phase: string, config: unknown, signal?: AbortSignal): Promise<unknown>;
  hook(method: string, hook: string, payload: unknown, signal?: AbortSignal): Promise<unknown>;
}

/** The host-side class of an isolated plugin: one method per plugin method, each a message. */
export function remoteClass(name: string, ready: Ready, isolate: RemoteCalls): Type<object> {
  // Named without evaluating any text: every plugin name works ("3d-viewer"), and nothing of it is compiled.
  const Remote = class {} as Type<object>;
  Object.defineProperty(Remote, 'name', { value: `${name}Isolated` });
  const hookMethods = new Set(ready.hooks.map((hook) => hook.method));
  for (const method of ready.methods) {
    // Never then/constructor/__proto__ (refused with the ready message), nor Object.prototype's own members.
    if (OBJECT_MEMBERS.has(method)) continue;
    let value: (...args: unknown[]) => Promise<unknown>;
    if (LIFECYCLE_WITH_CONFIG.has(method)) {
      // initialize(config, ctx) / configure(config, ctx) / checkRequirements(ctx): only the config crosses.
      value = async (first: unknown, ctx?: unknown) => {
        const context = (method === 'checkRequirements' ? first : ctx) as
          { config?: unknown; signal?: AbortSignal } | undefined;
        return isolate.phase(method, method === 'checkRequirements' ? context?.config : first, context?.signal);
      };
    } else if (LIFECYCLE.has(method)) {
      value = async (ctx?: unknown) =>
        isolate.phase(method, undefined, (ctx as { signal?: AbortSignal } | undefined)?.signal);
    } else if (hookMethods.has(method)) {
      value = async (payload: unknown, ctx?: unknown) => {
        const context = ctx as { hook?: string; signal?: AbortSignal } | undefined;
        return isolate.hook(method, context?.hook ?? '', payload, context?.signal);
      };
    } else {
      value = async (...args: unknown[]) => isolate.call(method, args); // async: every call crosses a boundary
    }
    Object.defineProperty(value, 'name', { value: method });
    Object.defineProperty(Remote.prototype, method, { value, writable: true, configurable: true });
  }
  // healthCheck always crosses, so a hung isolate shows as down even if the plugin has none.
  if (!ready.methods.includes('healthCheck')) {
    Object.defineProperty(Remote.prototype, 'healthCheck', {
      value: async (ctx?: { signal?: AbortSignal }) => isolate.phase('healthCheck', undefined, ctx?.signal),
      configurable: true,
    });
  }
  for (const hook of ready.hooks)
    OnHook(hook.hook, { priority: hook.priority, timeout: hook.timeout })(Remote.prototype, hook.method, {});
  return Remote;
}

const BUILTIN_ERRORS = new Map<string, ErrorConstructor>(
  [Error, RangeError, TypeError, SyntaxError, ReferenceError, EvalError, URIError].map((type) => [type.name, type]),
);

/** What an isolate reported as thrown: a `PluginError` when it has a library code (or `fallback`), else the plugin's own error. */
export function toPluginError(
  plugin: string,
  error: RemoteError,
  fallback: PluginErrorCode | undefined,
  what: string,
): Error {
  const code = (Object.values(PluginErrorCode) as string[]).includes(error.code ?? '')
    ? (error.code as PluginErrorCode)
    : fallback;
  const message = error.message.replace(/^PLUGIN_[A-Z_]+: /, '');
  if (code)
    return new PluginError(code, message.startsWith('plugin "') ? message : `plugin "${plugin}" ${what}: ${message}`, {
      plugin,
      details: error.details,
    });
  // The plugin's own error: same class (for the built-in ones), name and message, as if thrown in-process.
  const Builtin = BUILTIN_ERRORS.get(error.name) ?? Error;
  return Object.assign(new Builtin(error.message), {
    name: error.name,
    ...(error.code !== undefined && { code: error.code }),
    stack: error.stack,
  });
}
