// The other side of an isolated plugin: runs in a worker thread (tier `worker`) or a
// child Node process with the permission model on (tier `process`). It imports the
// plugin's entry, builds the plugin, and answers the host's messages. Plain JavaScript
// on purpose: Node loads this file directly in both tiers, from src and from dist.
//
// host → here: init, call, phase, hook, abort, host-result
// here → host: ready, load-error, result, log, host-call
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

const PLUGIN_METADATA = 'nestjs-plugin-host:plugin';
const HOOKS_METADATA = 'nestjs-plugin-host:hooks';

const channel = parentPort
  ? { send: (message) => parentPort.postMessage(message), listen: (handler) => parentPort.on('message', handler) }
  : { send: (message) => process.send(message), listen: (handler) => process.on('message', handler) };

let plugin;
let name;
let metadata;
let library;
const controllers = new Map();
const hostCalls = new Map();
let nextHostCall = 0;

function serializeError(error) {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, code: error.code, stack: error.stack, details: error.details };
  }
  return { name: 'Error', message: typeof error === 'string' ? error : JSON.stringify(error) };
}

function fail(code, message) {
  const error = new Error(`${code}: ${message}`);
  error.code = code;
  return error;
}

const logger = Object.fromEntries(
  ['log', 'error', 'warn', 'debug', 'verbose'].map((level) => [level, (message) => channel.send({ type: 'log', level, message: String(message) })]),
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
            channel.send({ type: 'host-call', id, token: String(token), method, args });
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
  const { config: validated } = await library.resolvePluginConfig({ plugin: name, schema: metadata.configSchema, options: config ?? {}, env: {} });
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
    channel.send(result);
  } catch (error) {
    channel.send({
      type: 'result',
      id,
      ok: false,
      error: serializeError(
        fail(
          'PLUGIN_NOT_CLONEABLE',
          `plugin "${name}": ${what} returned a value that cannot cross the isolation boundary (${error.message}). Return plain data: objects, arrays, strings, numbers, Dates, Maps, typed arrays; no functions or class instances with methods.`,
        ),
      ),
    });
  }
}

function pickClass(exports, exportName) {
  if (exportName !== undefined) return exports[exportName];
  if (typeof exports.default === 'function') return exports.default;
  const decorated = Object.values(exports).filter((value) => typeof value === 'function' && Reflect.getOwnMetadata?.(PLUGIN_METADATA, value));
  return decorated.length === 1 ? decorated[0] : undefined;
}

function methodsOf(instance) {
  const methods = new Map();
  for (let proto = Object.getPrototypeOf(instance); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, key);
      if (key !== 'constructor' && typeof descriptor?.value === 'function' && !methods.has(key))
        methods.set(key, descriptor.value[Symbol.toStringTag] === 'AsyncFunction');
    }
  }
  return methods;
}

function hooksOf(pluginClass) {
  const hooks = [];
  for (let current = pluginClass; current && current !== Function.prototype; current = Object.getPrototypeOf(current)) {
    hooks.push(...(Reflect.getOwnMetadata?.(HOOKS_METADATA, current) ?? []));
  }
  return hooks;
}

async function load(init) {
  name = init.name;
  const exports = await import(init.entryUrl);
  const pluginClass = pickClass(exports, init.exportName);
  if (typeof pluginClass !== 'function')
    throw fail('PLUGIN_MANIFEST_INVALID', `plugin "${name}": ${init.entryUrl} has no plugin class (set "export" in the manifest).`);
  metadata = Reflect.getOwnMetadata?.(PLUGIN_METADATA, pluginClass);
  if (!metadata) throw fail('PLUGIN_MANIFEST_INVALID', `plugin "${name}": class ${pluginClass.name} has no @Plugin() decorator.`);
  if (metadata.name !== name)
    throw fail(
      'PLUGIN_MANIFEST_INVALID',
      `plugin "${name}": class ${pluginClass.name} declares @Plugin({ name: "${metadata.name}" }); make it the manifest's name.`,
    );
  if (metadata.configSchema) {
    // The library the plugin itself uses validates its config, with its schema.
    const entry = fileURLToPath(init.entryUrl);
    library = await import(pathToFileURL(createRequire(entry).resolve('nestjs-plugin-host')).href);
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

channel.listen((message) => {
  switch (message.type) {
    case 'init':
      load(message).catch((error) => channel.send({ type: 'load-error', error: serializeError(error) }));
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

if (workerData?.init) load(workerData.init).catch((error) => channel.send({ type: 'load-error', error: serializeError(error) }));
