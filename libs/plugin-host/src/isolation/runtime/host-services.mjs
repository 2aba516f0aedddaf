// `ctx.get(token)` inside an isolate (see plugin-runtime.mjs): host services the plugin declared in
// `@Plugin({ inject })`, whose methods run in the host (which checks its own `expose` list). Plain JavaScript.
import { fail } from './channel.mjs';

/** The host services of the plugin `current()` names, and the answers to their calls (`host-result` messages). */
export function createHostServices(channel, current) {
  const calls = new Map();
  let nextCall = 0;

  /** A stand-in for the host service `token`: each method a `host-call` message, answered by `settle`. */
  function get(token) {
    const { name, metadata } = current();
    const declared = (metadata.inject ?? []).map((t) => (typeof t === 'function' ? t.name : String(t)));
    if (!declared.includes(String(token))) {
      throw fail(
        'PLUGIN_ACCESS_DENIED',
        `plugin "${name}" asked for "${String(token)}" but does not declare it in @Plugin({ inject }) (declared: ${declared.join(', ') || 'none'}).`,
      );
    }
    return new Proxy(
      {},
      {
        get(_target, method) {
          if (typeof method === 'symbol' || method === 'then') return undefined;
          return (...args) =>
            new Promise((resolve, reject) => {
              const id = ++nextCall;
              calls.set(id, { resolve, reject });
              try {
                channel.sendChecked(
                  { type: 'host-call', id, token: String(token), method, args },
                  'args',
                  `the arguments of "${String(token)}".${method}()`,
                );
              } catch (error) {
                calls.delete(id);
                reject(error);
              }
            });
        },
      },
    );
  }

  function settle(message) {
    const pending = calls.get(message.id);
    calls.delete(message.id);
    if (message.ok) pending?.resolve(message.value);
    else pending?.reject(Object.assign(new Error(message.error.message), message.error));
  }

  return { get, settle };
}
