// The other side of an isolated plugin: runs in a worker thread (tier `worker`) or a
// child Node process with the permission model on (tier `process`). It imports the
// plugin's entry, builds the plugin, and answers the host's messages. Plain JavaScript
// on purpose: Node loads this file directly in both tiers, from src and from dist.
//
// host → here: init (process tier; a worker gets it as workerData), call, phase, hook, http, abort, host-result
// here → host: ready, load-error, result, log, host-call, memory
//
// How messages travel (parentPort, or frames on fd 3) is channel.mjs. The host checks everything sent from here:
// a plugin can write to the channel directly, and gains nothing by it.
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { fail, lockSignals, openChannel, reportMemory } from './channel.mjs';
import { createHostServices } from './host-services.mjs';
import { buildRoutes, hasRoutes } from './plugin-routes.mjs';
import { PLUGIN_METADATA, hooksOf, methodsOf, pickClass, serializeError, text } from './plugin-shape.mjs';

const LOG_CHARS = 16_384;

let plugin;
let pluginClass;
let entryUrl;
let tier;
// A module plugin's application (plugin-routes.mjs): built as it loads, closed by cleanup, rebuilt by the next request.
let routes;
let name;
let metadata;
let library;
let maxMessageBytes = 16 * 2 ** 20;
const controllers = new Map();

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

const hostServices = createHostServices(channel, () => ({ name, metadata }));

function context(id) {
  const controller = new AbortController();
  controllers.set(id, controller);
  return { name, logger, signal: controller.signal, get: (token) => hostServices.get(token) };
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
    case 'cleanup': {
      const closing = routes;
      routes = undefined;
      await plugin.cleanup?.(ctx);
      return (await closing)?.close();
    }
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
  if (init.reportMemory) reportMemory(channel);
  ({ entryUrl, tier } = init);
  const exports = await import(init.entryUrl);
  pluginClass = pickClass(exports, init.exportName);
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
  if (metadata.configSchema || hasRoutes(metadata)) {
    // The library the plugin itself uses validates its config, with its schema, and lists its routes: its runtime
    // subpath (a copy older than that subpath exports the config function from its root).
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
  if (hasRoutes(metadata)) await routesOf();
  const routes = hasRoutes(metadata) ? (library.routeList?.('/', metadata.controllers) ?? []) : undefined;
  const methods = methodsOf(plugin);
  channel.send({
    type: 'ready',
    methods: [...methods.keys()],
    asyncMethods: [...methods].filter(([, isAsync]) => isAsync).map(([method]) => method),
    hooks: hooksOf(pluginClass),
    fields: Object.keys(plugin),
    ...(routes && { routes }),
    metadata: {
      description: metadata.description,
      timeouts: metadata.timeouts,
      inject: (metadata.inject ?? []).map((t) => (typeof t === 'function' ? t.name : String(t))),
    },
  });
}

function routesOf() {
  if (!hasRoutes(metadata)) throw fail('PLUGIN_NOT_FOUND', `plugin "${name}" serves no routes.`);
  routes ??= buildRoutes({ entryUrl, name, tier, metadata, pluginClass, plugin, logger });
  return routes;
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
    case 'http':
      answer(message.id, `route ${message.method} ${message.url}`, async () => (await routesOf()).serve(message));
      break;
    case 'abort':
      controllers.get(message.id)?.abort(fail('PLUGIN_TIMEOUT', 'the host stopped waiting'));
      break;
    case 'host-result':
      hostServices.settle(message);
      break;
  }
});

if (workerData?.init) start(workerData.init);
