// The entry of pyod's compute thread: runs the operation of COMPUTE each message names and answers with its result
// (the host sends one at a time).
import { parentPort } from 'node:worker_threads';
import { COMPUTE, type ComputeOperation } from './compute.js';
import { unpackArgument } from './packed-matrix.js';

interface Request {
  operation: ComputeOperation;
  args: unknown[];
}

const port = parentPort;
if (port)
  port.on('message', ({ operation, args }: Request) => {
    try {
      if (!Object.hasOwn(COMPUTE, operation)) throw new Error(`unknown operation ${String(operation)}`);
      const value = (COMPUTE[operation] as (...a: unknown[]) => unknown)(...args.map(unpackArgument));
      port.postMessage({ ok: true, value });
    } catch (error) {
      const { name = 'Error', message = String(error) } = error instanceof Error ? error : {};
      port.postMessage({ ok: false, error: { name, message } });
    }
  });
