import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PluginError, PluginErrorCode } from 'nestjs-plugin-host';
import { COMPUTE, type ComputeOperation } from './compute.js';
import { packArgument } from './packed-matrix.js';

/** The compute thread's entry, built beside this file (dist). Run from TypeScript sources (the unit tests) it is absent. */
const ENTRY = new URL('./compute-worker.js', import.meta.url);

type Operation<K extends ComputeOperation> = (typeof COMPUTE)[K];

interface Job {
  operation: ComputeOperation;
  args: unknown[];
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface Running {
  worker: Worker;
  job?: Job;
  deadline?: NodeJS.Timeout;
  lastError?: Error;
}

/**
 * Runs pyod's detectors in one worker thread of its own, so a long fit never holds the host's event loop
 * (the host keeps answering, /health included) and results are the same code's, bit for bit. Calls run
 * one at a time, in order; each may run `timeoutMs`, past which the thread is stopped (its CPU freed),
 * the call fails with `PLUGIN_TIMEOUT` and the next call starts a new thread. The thread starts on the
 * first call, lets the process exit while idle, and ends with `close()`. Where no worker can start
 * (running from sources, or under a permission model that forbids workers) the work runs on the
 * caller's thread, without a timeout.
 */
export class ComputeThread {
  private running?: Running;
  private readonly queue: Job[] = [];
  /** Why there is no thread (the work runs on the caller's thread), when there is none. */
  private noThread?: string;

  constructor(
    private readonly entry: URL = ENTRY,
    /** How long one call may run in the thread, ms. */
    public timeoutMs = 60_000,
  ) {
    if (!existsSync(fileURLToPath(entry))) this.noThread = `${fileURLToPath(entry)} is not built`;
  }

  /** Where detectors run: `worker thread`, or `event loop (why)`. */
  get where(): string {
    return this.noThread ? `event loop (${this.noThread})` : 'worker thread';
  }

  run<K extends ComputeOperation>(operation: K, ...args: Parameters<Operation<K>>): Promise<ReturnType<Operation<K>>> {
    return new Promise((resolve, reject) => {
      const job: Job = { operation, args, resolve: resolve as (value: unknown) => void, reject };
      if (this.noThread) return runHere(job);
      this.queue.push(job);
      this.next();
    });
  }

  /** Ends the thread; the call running and those waiting are rejected. */
  async close(): Promise<void> {
    const stopped = new Error('pyod was stopped before the computation finished');
    for (const job of this.queue.splice(0)) job.reject(stopped);
    const running = this.running;
    this.running = undefined;
    if (!running) return;
    clearTimeout(running.deadline);
    running.job?.reject(stopped);
    await running.worker.terminate();
  }

  /** Sends the next waiting call to the thread (starting one if needed) when none is running. */
  private next(): void {
    if (this.running?.job || this.queue.length === 0) return;
    const running = this.running ?? this.start();
    if (!running) {
      for (const job of this.queue.splice(0)) runHere(job);
      return;
    }
    const job = this.queue.shift();
    if (!job) return;
    running.job = job;
    running.worker.ref(); // a call runs: keep the process alive until it answers
    running.deadline = setTimeout(() => {
      running.job = undefined;
      this.stop(running);
      job.reject(
        new PluginError(
          PluginErrorCode.TIMEOUT,
          `plugin "pyod": ${job.operation} ran longer than ${this.timeoutMs} ms and was stopped. Use fewer rows or estimators, or raise callTimeoutMs.`,
          { plugin: 'pyod' },
        ),
      );
      this.next();
    }, this.timeoutMs);
    try {
      const packed = job.args.map(packArgument); // rows move as one buffer
      running.worker.postMessage(
        { operation: job.operation, args: packed.map((arg) => arg.value) },
        packed.flatMap((arg) => arg.transfer),
      );
    } catch (error) {
      clearTimeout(running.deadline);
      running.job = undefined;
      job.reject(error as Error); // arguments that cannot be copied (validated input always can)
      this.next();
    }
  }

  private start(): Running | undefined {
    let worker: Worker;
    try {
      worker = new Worker(this.entry);
    } catch (error) {
      this.noThread = `no worker thread can start here: ${(error as Error).message}`; // e.g. Node's permission model without --allow-worker
      return undefined;
    }
    const running: Running = { worker };
    worker.on(
      'message',
      ({ ok, value, error }: { ok: boolean; value?: unknown; error?: { name: string; message: string } }) => {
        const job = running.job;
        if (!job) return;
        clearTimeout(running.deadline);
        running.job = undefined;
        worker.unref();
        if (ok) job.resolve(value);
        else
          job.reject(
            Object.assign(error?.name === 'RangeError' ? new RangeError(error.message) : new Error(error?.message), {
              name: error?.name ?? 'Error',
            }),
          );
        this.next();
      },
    );
    worker.on('error', (error) => (running.lastError = error));
    worker.on('exit', (code) => {
      if (this.running !== running) return; // stopped on purpose
      this.running = undefined;
      clearTimeout(running.deadline);
      const reason = running.lastError
        ? `${running.lastError.name}: ${running.lastError.message}`
        : `exit code ${code}`;
      running.job?.reject(new Error(`pyod's compute thread stopped (${reason}); the call was not completed`));
      this.next(); // the calls waiting get a new thread
    });
    this.running = running;
    return running;
  }

  private stop(running: Running): void {
    if (this.running === running) this.running = undefined;
    clearTimeout(running.deadline);
    void running.worker.terminate();
  }
}

/** Runs `job` on the caller's thread. */
function runHere(job: Job): void {
  try {
    job.resolve((COMPUTE[job.operation] as (...a: unknown[]) => unknown)(...job.args));
  } catch (error) {
    job.reject(error as Error);
  }
}
