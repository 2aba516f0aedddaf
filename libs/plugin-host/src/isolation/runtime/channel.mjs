// The isolate's channel to the host (see plugin-runtime.mjs), and in the process tier the signal APIs locked before
// any plugin code runs. Plain JavaScript, loaded by plugin-runtime.mjs from the same folder.
//
// Worker: messages over parentPort; a large result or host-call payload goes serialized (`bytes`), so its size
// is known before it is sent. Process: length-prefixed v8.serialize frames on fd 3 in both directions (no IPC
// channel, whose messages the host would have to buffer whole); the process exits as soon as that pipe closes
// or its parent changes, so it never outlives the host.
import { Buffer } from 'node:buffer';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import { setInterval } from 'node:timers';
import { deserialize, serialize } from 'node:v8';
import { parentPort } from 'node:worker_threads';

const PARENT_CHECK_MS = 500;
// Nodes a result's size walk visits before it serializes the value to know (cheap for the usual small result).
const WALK_BUDGET = 512;
// Captured before any plugin code runs: a plugin cannot stop this process from exiting with its host.
const exitNow = process.reallyExit.bind(process);

/** An error the host reads as a `PluginError` with `code`. */
export function fail(code, message) {
  const error = new Error(`${code}: ${message}`);
  error.code = code;
  return error;
}

const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

function tooLarge(limits, what, bytes, atLeast) {
  return fail(
    'PLUGIN_RESOURCE_LIMIT',
    `plugin "${limits.name}": ${what} is ${atLeast ? 'at least ' : ''}${mb(bytes)}, over maxMessageBytes (${mb(limits.maxMessageBytes)}). Return less (page it, or write it where the host reads it), or raise maxMessageBytes in the plugin's isolation rule.`,
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
export function lockSignals() {
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

function pipeChannel(limits) {
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
      const least = sizeCheck(message[field], limits.maxMessageBytes);
      if (typeof least === 'number') throw tooLarge(limits, what, least, true);
      const body = serialize(message);
      if (body.length > limits.maxMessageBytes) throw tooLarge(limits, what, body.length);
      write(body);
    },
    listen: (next) => (handler = next),
  };
}

function workerChannel(limits) {
  return {
    send: (message) => parentPort.postMessage(message),
    // Small payloads are cloned as they are; a large one is serialized once, measured, and its bytes handed over.
    sendChecked: (message, field, what) => {
      const least = sizeCheck(message[field], limits.maxMessageBytes);
      if (least === true) return parentPort.postMessage(message);
      if (typeof least === 'number') throw tooLarge(limits, what, least, true);
      const bytes = serialize(message[field]);
      if (bytes.length > limits.maxMessageBytes) throw tooLarge(limits, what, bytes.length);
      const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      parentPort.postMessage({ ...message, [field]: undefined, bytes }, whole ? [bytes.buffer] : []);
    },
    listen: (handler) => parentPort.on('message', handler),
  };
}

/**
 * The channel for this isolate's tier. `limits` gives the plugin's name and maxMessageBytes (read at each send: they
 * arrive with the host's init).
 */
export function openChannel(limits) {
  return parentPort ? workerChannel(limits) : pipeChannel(limits);
}

const MEMORY_REPORT_MS = 100;

/** Tells the host the isolate's memory now and every MEMORY_REPORT_MS (its memory guard reads it). */
export function reportMemory(channel) {
  const send = () => {
    const usage = process.memoryUsage();
    channel.send({ type: 'memory', heap: usage.heapTotal, external: usage.external, rss: usage.rss });
  };
  send();
  setInterval(send, MEMORY_REPORT_MS).unref();
}
