import { Injectable, Module } from '@nestjs/common';
import { readFileSync } from 'node:fs';

/**
 * Module top level for attack plugins: `rawSend(message)` writes straight to the plugin's channel to its host,
 * bypassing the runtime (what a hostile plugin can always do): `parentPort` in a worker; in a child process,
 * Node's IPC when the process has one, else a length-prefixed `v8.serialize` frame on fd 3 (the host's pipe).
 * `rawFrame(header, body)` writes a frame with any length header.
 */
export const RAW_CHANNEL = `import { parentPort as __parentPort } from 'node:worker_threads';
import { writeSync as __writeSync } from 'node:fs';
import { serialize as __serialize } from 'node:v8';
function rawFrame(length, body) {
  const frame = Buffer.alloc(4 + body.length);
  frame.writeUInt32LE(length, 0);
  body.copy(frame, 4);
  for (let at = 0; at < frame.length; ) {
    try {
      at += __writeSync(3, frame, at);
    } catch (error) {
      if (error.code !== 'EAGAIN') throw error;
    }
  }
}
function rawSend(message) {
  if (__parentPort) return __parentPort.postMessage(message);
  if (typeof process.send === 'function') return process.send(message);
  const body = __serialize(message);
  rawFrame(body.length, body);
}`;

/** A host service plugins may `ctx.get('Greeter')` (boot with `imports: [GreeterModule], expose: ['Greeter']`). */
@Injectable()
export class Greeter {
  greet(who: string): string {
    return `host greets ${who}`;
  }
}

@Module({ providers: [{ provide: 'Greeter', useClass: Greeter }], exports: ['Greeter'] })
export class GreeterModule {}

/** This process's resident memory, MB (Linux: /proc; elsewhere Node's figure). */
export function rssMb(): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Number(kb) / 1024;
  } catch {
    // not Linux
  }
  return process.memoryUsage.rss() / 2 ** 20;
}

/** Whether `pid` is a live process (a zombie, dead but not yet reaped, is not). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return process.platform !== 'linux'; // gone from /proc: dead
  }
}

/** Whether `pid` exists at all, a zombie included (a child of this process is gone once this process reaped it). */
export function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
