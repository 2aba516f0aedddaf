// The other side of an isolated plugin: runs in a worker thread (tier `worker`) or a
// child Node process with the permission model on (tier `process`). It imports the
// plugin's entry, builds the plugin, and answers the host's messages. Plain JavaScript
// on purpose: Node loads this file directly in both tiers, from src and from dist.
//
// host → here: init (process tier; a worker gets it as workerData), call, phase, hook, abort, host-result
// here → host: ready, load-error, result, log, host-call, memory
//
// Worker: messages over parentPort; a large result or host-call payload goes serialized (`bytes`), so its size
// is known before it is sent. Process: length-prefixed v8.serialize frames on fd 3 in both directions (no IPC
// channel, whose messages the host would have to buffer whole); the process exits as soon as that pipe closes
// or its parent changes, so it never outlives the host. The host checks everything sent from here: a plugin
// can write to the channel directly, and gains nothing by it.
import { Buffer } from 'node:buffer';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import { setInterval } from 'node:timers';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';

const PLUGIN_METADATA = 'nestjs-plugin-host:plugin';
const HOOKS_METADATA = 'nestjs-plugin-host:hooks';
const LOG_CHARS = 16_384;
const MEMORY_REPORT_MS = 100;
const PARENT_CHECK_MS = 500;
// Nodes a result's size walk visits before it serializes the value to know (cheap for the usual small result).
const WALK_BUDGET = 512;

// Captured before any plugin code runs: a plugin cannot stop this process from exiting with its host.
const exitNow = process.reallyExit.bind(process);

let plugin;
let name;
let metadata;
let library;
let maxMessageBytes = 16 * 2 ** 20;
const controllers = new Map();
const hostCalls = new Map();
let nextHostCall = 0;

function fail(code, message) {
  const error = new Error(`${code}: ${message}`);
  error.code = code;
  return error;
}

const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

function tooLarge(what, bytes, atLeast) {
  return fail(
    'PLUGIN_RESOURCE_LIMIT',
    `plugin "${name}": ${what} is ${atLeast ? 'at least ' : ''}${mb(bytes)}, over maxMessageBytes (${mb(maxMessageBytes)}). Return less (page it, or write it where the host reads it), or raise maxMessageBytes in the plugin's isolation rule.`,
  );
}

/**
 * Whether `value` surely fits in `limit` bytes once serialized (`true`), surely does not (the bytes it needs at
 * least), or is too large to tell by a short walk (`undefined`: serialize it to know). Strings count one byte a
 * character at least, two at most; typed arrays their bytes. Cheap for the usual small result.
 */
function sizeCheck(value, limit) {
  let budget = WALK_BUDGET;
  let least = 0;
  let most = 0;
  const unsure = () => (least > limit ? least : undefined);
  const stack = [value];
  while (stack.length > 0) {
    if (--budget < 0) return unsure();
    const item = stack.pop();
    if (typeof item === 'string') {
      least += item.length;
      most += 2 * item.length + 8;
    } else if (typeof item !== 'object' || item === null) {
      least += 1;
      most += 16;
    } else if (ArrayBuffer.isView(item) || item instanceof ArrayBuffer) {
      least += item.byteLength;
      most += item.byteLength + 32;
    } else if (Array.isArray(item)) {
      if (item.length > budget) return unsure();
      most += 16;
      for (let i = 0; i < item.length; i++) stack.push(item[i]);
    } else if (item instanceof Map || item instanceof Set) {
      if (item.size > budget) return unsure();
      most += 16;
      for (const entry of item) stack.push(entry);
    } else {
      const keys = Object.keys(item);
      if (keys.length > budget) return unsure();
      most += 16;
      for (const key of keys) {
        least += key.length;
        most += 2 * key.length + 8;
        stack.push(item[key]);
      }
    }
    if (least > limit) return least;
  }
  return most <= limit ? true : undefined;
}

// ---- process tier: no signals to other processes, frames on fd 3, exit with the host ----

function accessDenied(api) {
  return function denied() {
    const error = new Error(
      `Access to this API has been restricted: ${api} (a process-tier plugin cannot signal or reprioritise other processes)`,
    );
    error.code = 'ERR_ACCESS_DENIED';
    error.permission = 'Signal';
    throw error;
  };
}

/**
 * Node's permission model does not cover signals: without this, a plugin could kill its host, or open the host's
 * inspector with SIGUSR1 (`process._debugProcess`) and run code in it. Replaced before the plugin loads, and
 * frozen (`process.binding`, the other way to the raw functions, is refused by the permission model).
 */
function lockSignals() {
  for (const [target, key, api] of [
    [process, 'kill', 'process.kill'],
    [process, '_kill', 'process._kill'],
    [process, '_debugProcess', 'process._debugProcess'],
    [os, 'setPriority', 'os.setPriority'],
  ]) {
    const { enumerable } = Object.getOwnPropertyDescriptor(target, key) ?? { enumerable: true };
    Object.defineProperty(target, key, { value: accessDenied(api), writable: false, configurable: false, enumerable });
  }
  syncBuiltinESMExports(); // `import { kill } from 'node:process'` sees the same
}

function pipeChannel() {
  const pipe = new net.Socket({ fd: 3, readable: true, writable: true });
  let handler = () => undefined;
  let chunks = [];
  let buffered = 0;
  let expected = -1;
  pipe.on('data', (chunk) => {
    chunks.push(chunk);
    buffered += chunk.length;
    for (;;) {
      if (expected < 0) {
        if (buffered < 4) return;
        const joined = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
        expected = joined.readUInt32LE(0);
        chunks = [joined.subarray(4)];
        buffered -= 4;
      }
      if (buffered < expected) return;
      const joined = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      const body = joined.subarray(0, expected);
      chunks = [joined.subarray(expected)];
      buffered -= expected;
      expected = -1;
      handler(deserialize(body));
    }
  });
  // The host is gone (its end of the pipe closed, or this process was re-parented): never outlive it.
  const hostGone = () => exitNow(0);
  pipe.on('end', hostGone);
  pipe.on('close', hostGone);
  pipe.on('error', hostGone);
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && hostGone(), PARENT_CHECK_MS).unref();
  const write = (body) => {
    const header = Buffer.allocUnsafe(4);
    header.writeUInt32LE(body.length, 0);
    pipe.cork();
    pipe.write(header);
    pipe.write(body);
    pipe.uncork();
  };
  return {
    send: (message) => write(serialize(message)),
    // The whole message is serialized anyway; a short walk first spares serializing what is surely too large.
    sendChecked: (message, field, what) => {
      const least = sizeCheck(message[field], maxMessageBytes);
      if (typeof least === 'number') throw tooLarge(what, least, true);
      const body = serialize(message);
      if (body.length > maxMessageBytes) throw tooLarge(what, body.length);
      write(body);
    },
    listen: (next) => (handler = next),
  };
}

function workerChannel() {
  return {
    send: (message) => parentPort.postMessage(message),
    // Small payloads are cloned as they are; a large one is serialized once, measured, and its bytes handed over.
    sendChecked: (message, field, what) => {
      const least = sizeCheck(message[field], maxMessageBytes);
      if (least === true) return parentPort.postMessage(message);
      if (typeof least === 'number') throw tooLarge(what, least, true);
      const bytes = serialize(message[field]);
      if (bytes.length > maxMessageBytes) throw tooLarge(what, bytes.length);
      const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      parentPort.postMessage({ ...message, [field]: undefined, bytes }, whole ? [bytes.buffer] : []);
    },
    listen: (handler) => parentPort.on('message', handler),
  };
}

if (!parentPort) lockSignals();
const channel = parentPort ? workerChannel() : pipeChannel();

function reportMemory() {
  const send = () => {
    const usage = process.memoryUsage();
    channel.send({ type: 'memory', heap: usage.heapTotal, external: usage.external, rss: usage.rss });
  };
  send();
  setInterval(send, MEMORY_REPORT_MS).unref();
}

// ---- the plugin ----

function text(value, max) {
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

function serializeError(error) {
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

function pickClass(exports, exportName) {
  if (exportName !== undefined) return exports[exportName];
  if (typeof exports.default === 'function') return exports.default;
  const decorated = Object.values(exports).filter(
    (value) => typeof value === 'function' && Reflect.getOwnMetadata?.(PLUGIN_METADATA, value),
  );
  return decorated.length === 1 ? decorated[0] : undefined;
}

function methodsOf(instance) {
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

function hooksOf(pluginClass) {
  const hooks = [];
  for (let current = pluginClass; current && current !== Function.prototype; current = Object.getPrototypeOf(current)) {
    hooks.push(...(Reflect.getOwnMetadata?.(HOOKS_METADATA, current) ?? []));
  }
  return hooks;
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
