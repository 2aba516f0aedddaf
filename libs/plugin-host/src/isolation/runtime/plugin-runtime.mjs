// The other side of an isolated plugin: runs in a worker thread (tier `worker`) or a
// child Node process with the permission model on (tier `process`). It imports the
// plugin's entry, builds the plugin, and answers the host's messages. Plain JavaScript
// on purpose: Node loads this file directly in both tiers, from src and from dist.
//
// host → here: init (process tier; a worker gets it as workerData), call, phase, hook, abort, host-result
// here → host: ready, load-error, result, log, host-call, memory
//
// How messages travel (parentPort, or frames on fd 3) is channel.mjs. The host checks everything sent from here:
// a plugin can write to the channel directly, and gains nothing by it.
import { createRequire } from 'node:module';
import { setInterval } from 'node:timers';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { fail, lockSignals, openChannel } from './channel.mjs';
import { PLUGIN_METADATA, hooksOf, methodsOf, pickClass, serializeError, text } from './plugin-shape.mjs';

const LOG_CHARS = 16_384;
const MEMORY_REPORT_MS = 100;

let plugin;
let name;
let metadata;
let library;
let maxMessageBytes = 16 * 2 ** 20;
const controllers = new Map();
const hostCalls = new Map();
let nextHostCall = 0;

if (!parentPort) lockSignals();
// What a too-large message's error names: known once the host's init arrives.
const channel = openChannel({
  get name() {
    return name;
  },
  get maxMessageBytes() {
    return maxMessageBytes;
  },
});

function reportMemory() {
  const send = () => {
    const usage = process.memoryUsage();
    channel.send({ type: 'memory', heap: usage.heapTotal, external: usage.external, rss: usage.rss });
  };
  send();
  setInterval(send, MEMORY_REPORT_MS).unref();
}

// ---- the plugin ----

const logger = Object.fromEntries(
  ['log', 'error', 'warn', 'debug', 'verbose'].map((level) => [
    level,
    (message) => {
      const line = typeof message === 'string' ? message : (text(message, LOG_CHARS + 1) ?? '');
      channel.send({
        type: 'log',
        level,
        message: line.length > LOG_CHARS ? `${line.slice(0, LOG_CHARS)}… (cut)` : line,
      });
    },
  ]),
);

/** `ctx.get(token)`: a stand-in whose methods run on the host service, for tokens the plugin declared (the host checks its `expose` list). */
function hostService(token) {
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
            const id = ++nextHostCall;
            hostCalls.set(id, { resolve, reject });
            try {
              channel.sendChecked(
                { type: 'host-call', id, token: String(token), method, args },
                'args',
                `the arguments of "${String(token)}".${method}()`,
              );
            } catch (error) {
              hostCalls.delete(id);
              reject(error);
            }
          });
      },
    },
  );
}

function context(id) {
  const controller = new AbortController();
  controllers.set(id, controller);
  return { name, logger, signal: controller.signal, get: hostService };
}

async function validConfig(config) {
  if (!metadata.configSchema) return config ?? {};
  const { config: validated } = await library.resolvePluginConfig({
    plugin: name,
    schema: metadata.configSchema,
    options: config ?? {},
    env: {},
  });
  return validated;
}

async function phase(message) {
  const ctx = context(message.id);
  switch (message.phase) {
    case 'checkRequirements': {
      const config = await validConfig(message.config);
      return plugin.checkRequirements?.({ ...ctx, config });
    }
    case 'initialize':
    case 'configure': {
      const config = await validConfig(message.config);
      return plugin[message.phase]?.(config, { ...ctx, config });
    }
    case 'healthCheck':
      return plugin.healthCheck ? plugin.healthCheck(ctx) : { status: 'up' };
    case 'cleanup':
      return plugin.cleanup?.(ctx);
    default:
      throw new Error(`unknown phase ${message.phase}`);
  }
}

async function answer(id, what, run) {
  let result;
  try {
    result = { type: 'result', id, ok: true, value: await run() };
  } catch (error) {
    result = { type: 'result', id, ok: false, error: serializeError(error) };
  } finally {
    controllers.delete(id);
  }
  try {
    if (result.ok) channel.sendChecked(result, 'value', `the result of ${what}`);
    else channel.send(result);
  } catch (error) {
    const refused =
      error.code === 'PLUGIN_RESOURCE_LIMIT'
        ? error
        : fail(
            'PLUGIN_NOT_CLONEABLE',
            `plugin "${name}": ${what} returned a value that cannot cross the isolation boundary (${error.message}). Return plain data: objects, arrays, strings, numbers, Dates, Maps, typed arrays; no functions or class instances with methods.`,
          );
    try {
      channel.send({ type: 'result', id, ok: false, error: serializeError(refused) });
    } catch {
      // the host is going away
    }
  }
}

async function load(init) {
  name = init.name;
  if (typeof init.maxMessageBytes === 'number') maxMessageBytes = init.maxMessageBytes;
  if (init.reportMemory) reportMemory();
  const exports = await import(init.entryUrl);
  const pluginClass = pickClass(exports, init.exportName);
  if (typeof pluginClass !== 'function')
    throw fail(
      'PLUGIN_MANIFEST_INVALID',
      `plugin "${name}": ${init.entryUrl} has no plugin class (set "export" in the manifest).`,
    );
  metadata = Reflect.getOwnMetadata?.(PLUGIN_METADATA, pluginClass);
  if (!metadata)
    throw fail('PLUGIN_MANIFEST_INVALID', `plugin "${name}": class ${pluginClass.name} has no @Plugin() decorator.`);
  if (metadata.name !== name)
    throw fail(
      'PLUGIN_MANIFEST_INVALID',
      `plugin "${name}": class ${pluginClass.name} declares @Plugin({ name: "${metadata.name}" }); make it the manifest's name.`,
    );
  if (metadata.configSchema) {
    // The library the plugin itself uses validates its config, with its schema: its runtime subpath (a copy older
    // than that subpath exports the same function from its root).
    const require = createRequire(fileURLToPath(init.entryUrl));
    let runtime;
    try {
      runtime = require.resolve('nestjs-plugin-host/runtime');
    } catch {
      runtime = require.resolve('nestjs-plugin-host');
    }
    library = await import(pathToFileURL(runtime).href);
  }
  plugin = new pluginClass();
  const methods = methodsOf(plugin);
  channel.send({
    type: 'ready',
    methods: [...methods.keys()],
    asyncMethods: [...methods].filter(([, isAsync]) => isAsync).map(([method]) => method),
    hooks: hooksOf(pluginClass),
    fields: Object.keys(plugin),
    metadata: {
      description: metadata.description,
      timeouts: metadata.timeouts,
      inject: (metadata.inject ?? []).map((t) => (typeof t === 'function' ? t.name : String(t))),
    },
  });
}

function start(init) {
  load(init).catch((error) => channel.send({ type: 'load-error', error: serializeError(error) }));
}

channel.listen((message) => {
  switch (message.type) {
    case 'init':
      start(message);
      break;
    case 'call':
      answer(message.id, `method "${message.method}"`, () => plugin[message.method](...message.args));
      break;
    case 'phase':
      answer(message.id, message.phase, () => phase(message));
      break;
    case 'hook': {
      const ctx = context(message.id);
      answer(message.id, `hook "${message.hook}" (${message.method})`, () =>
        plugin[message.method](message.payload, { plugin: name, hook: message.hook, logger, signal: ctx.signal }),
      );
      break;
    }
    case 'abort':
      controllers.get(message.id)?.abort(fail('PLUGIN_TIMEOUT', 'the host stopped waiting'));
      break;
    case 'host-result': {
      const pending = hostCalls.get(message.id);
      hostCalls.delete(message.id);
      if (message.ok) pending?.resolve(message.value);
      else pending?.reject(Object.assign(new Error(message.error.message), message.error));
      break;
    }
  }
});

if (workerData?.init) start(workerData.init);
