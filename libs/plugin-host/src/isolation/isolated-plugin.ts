import type { Type } from '@nestjs/common';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import { OnHook } from '../manifest/on-hook.decorator.js';
import { FrameReader, frame } from './frames.js';
import {
  OBJECT_MEMBERS,
  Violation,
  brief,
  isId,
  messageType,
  readHostCall,
  readLog,
  readMemory,
  readReady,
  readRemoteError,
  type Ready,
  type RemoteError,
} from './isolation-protocol.js';
import type { IsolationSettings } from './isolation-settings.js';
import { MemoryGuard, hostSamplesProcesses } from './memory-guard.js';

/** The runtime the worker or child process runs (plain JS, loadable from src and dist). */
const RUNTIME = fileURLToPath(new URL('./runtime/plugin-runtime.mjs', import.meta.url));
/** This library's package folder: isolates load its code (the plugin imports it). */
const LIBRARY_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const LIFECYCLE_WITH_CONFIG = new Set(['initialize', 'configure', 'checkRequirements']);
const LIFECYCLE = new Set([...LIFECYCLE_WITH_CONFIG, 'healthCheck', 'cleanup']);
// How long an isolate may take to answer after the host gave up on a phase before it is killed as hung.
const ABORT_GRACE_MS = 1000;

/** What the isolate may ask of the host: a method of an exposed service. */
export type HostCall = (token: string, method: string, args: unknown[]) => Promise<unknown>;

/** Why an isolate ended, as its plugin reports it: it crashed, broke the protocol, or went over a resource cap. */
export type FailureCode =
  typeof PluginErrorCode.CRASHED | typeof PluginErrorCode.PROTOCOL_ERROR | typeof PluginErrorCode.RESOURCE_LIMIT;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  /** When the host stops waiting (performance.now() ms), and what it then reports. */
  deadline?: number;
  overdue?: string;
  what: string;
}

interface Transport {
  /** Sends a message; throws (a `DataCloneError`) when it cannot be cloned. */
  send(message: unknown): void;
  /** Ends the worker or process; until it has exited, `exitsUnderway` holds it so shutdown can wait for it. */
  kill(): void;
  /** Keep the host's event loop alive (a call is waiting for an answer), or not (idle). */
  hold(held: boolean): void;
}

/** What a transport reports to its isolate. */
interface TransportEvents {
  message(raw: unknown): void;
  /** The isolate must be stopped: it broke the protocol or went over a cap. */
  violation(code: FailureCode, reason: string): void;
  exit(reason: string): void;
}

/** Every isolate alive in this process (tests check none is left after shutdown). */
export const liveIsolates = new Set<IsolatedPlugin>();

/** Workers and processes that were told to end and have not exited yet (shutdown waits for them: see `isolatesExited`). */
const exitsUnderway = new Set<Promise<void>>();

/** Resolves once every worker and process told to end has exited, or after `timeoutMs` (a process the kernel has not reaped yet). */
export async function isolatesExited(timeoutMs = 5000): Promise<void> {
  if (exitsUnderway.size === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs).unref()));
  await Promise.race([Promise.all(exitsUnderway), late]);
  clearTimeout(timer);
}

/** Holds `exited` in `exitsUnderway` until it settles. */
function awaitExit(exited: Promise<void>): void {
  exitsUnderway.add(exited);
  void exited.finally(() => exitsUnderway.delete(exited));
}

/**
 * One isolated plugin instance: a worker thread or a child process running the
 * plugin, and on the host side an object of a generated class whose methods send
 * messages. Every call has a timeout; an isolate that dies, runs out of memory or
 * stops answering is killed, every call in flight is rejected with
 * `PLUGIN_CRASHED`, and `onCrash` listeners hear why. Every message from the
 * isolate is checked against the protocol first: one outside it stops the
 * isolate with `PLUGIN_PROTOCOL_ERROR`; an isolate over its memory cap, or a
 * message over `maxMessageBytes`, with `PLUGIN_RESOURCE_LIMIT`. Nothing an
 * isolate sends can throw in the host.
 */
export class IsolatedPlugin {
  /** The host-side stand-in: methods of the plugin, each a message to the isolate. */
  readonly instance: object;
  /** Its generated class (carries the plugin's `@OnHook()` declarations). */
  readonly remoteClass: Type<object>;
  readonly ready: Ready;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private dead?: string;
  private deadCode: FailureCode = PluginErrorCode.CRASHED;
  private readonly crashListeners: ((reason: string, code: FailureCode) => void)[] = [];
  private sweeper?: NodeJS.Timeout;
  private sweepStep = Infinity;

  private constructor(
    readonly name: string,
    private readonly transport: Transport,
    ready: Ready,
    private readonly settings: IsolationSettings,
    private readonly hostCall: HostCall,
    private readonly guard: MemoryGuard,
  ) {
    this.ready = ready;
    this.remoteClass = remoteClass(name, ready, this);
    this.instance = new this.remoteClass();
    liveIsolates.add(this);
    transport.hold(false); // loaded: from now on only a waiting call keeps the host alive
  }

  /**
   * Starts the isolate and waits until it has imported the plugin.
   *
   * @throws PluginError `PLUGIN_LOAD_FAILED` (or the code the isolate gave, e.g. `PLUGIN_MANIFEST_INVALID`) when it
   * cannot, or when `signal` aborts first (the host is shutting down: the isolate is ended); `PLUGIN_PROTOCOL_ERROR`
   * or `PLUGIN_RESOURCE_LIMIT` when it broke the protocol or a cap while loading; `PLUGIN_TIMEOUT` when it did not
   * finish loading within `loadTimeoutMs` (the plugin's initialize timeout)
   */
  static start(
    init: { name: string; entryPath: string; exportName?: string; packageDir: string },
    settings: IsolationSettings,
    hostCall: HostCall,
    signal?: AbortSignal,
  ): Promise<IsolatedPlugin> {
    const { name } = init;
    const { tier } = settings;
    const message = {
      type: 'init',
      name,
      entryUrl: pathToFileURL(init.entryPath).href,
      exportName: init.exportName,
      maxMessageBytes: settings.maxMessageBytes,
      // The host samples a child's memory itself where it can (a figure the plugin cannot forge).
      reportMemory: tier === 'worker' || !hostSamplesProcesses(),
    };
    return new Promise((resolve, reject) => {
      let isolated: IsolatedPlugin | undefined;
      let settled = false;
      const guard = new MemoryGuard(settings, (reason) => events.violation(PluginErrorCode.RESOURCE_LIMIT, reason));
      const loading =
        Number.isFinite(settings.loadTimeoutMs) &&
        setTimeout(
          () =>
            refuse(
              new PluginError(
                PluginErrorCode.TIMEOUT,
                `plugin "${name}" did not finish loading in its ${tier} within ${settings.loadTimeoutMs} ms, its initialize timeout (its module or constructor never finished). Fix it, or raise the timeout.`,
                { plugin: name, phase: 'load' },
              ),
            ),
          settings.loadTimeoutMs,
        );
      const finish = (): void => {
        settled = true;
        if (loading) clearTimeout(loading);
      };
      const refuse = (error: PluginError): void => {
        if (settled) return;
        finish();
        guard.stop();
        transport.kill();
        reject(error);
      };
      const events: TransportEvents = {
        message(raw) {
          try {
            if (isolated) return isolated.receive(raw);
            if (settled) return;
            const type = messageType(raw);
            if (type instanceof Violation) return this.violation(PluginErrorCode.PROTOCOL_ERROR, type.problem);
            const msg = raw as Record<string, unknown>;
            if (type === 'ready') {
              const ready = readReady(msg, tier);
              if (ready instanceof Violation) return this.violation(ready.code as FailureCode, ready.problem);
              isolated = new IsolatedPlugin(name, transport, ready, settings, hostCall, guard);
              finish();
              resolve(isolated);
            } else if (type === 'load-error') {
              const error = readRemoteError(msg.error);
              if (error instanceof Violation)
                return this.violation(PluginErrorCode.PROTOCOL_ERROR, `its "load-error" message: ${error.problem}`);
              refuse(
                toPluginError(
                  name,
                  error,
                  PluginErrorCode.LOAD_FAILED,
                  `could not be loaded in its ${tier}`,
                ) as PluginError,
              );
            } else if (type === 'log') {
              const log = readLog(msg);
              if (log instanceof Violation) return this.violation(PluginErrorCode.PROTOCOL_ERROR, log.problem);
              writeLog(settings, log.level, log.message);
            } else if (type === 'memory') {
              const report = readMemory(msg);
              if (report instanceof Violation) return this.violation(PluginErrorCode.PROTOCOL_ERROR, report.problem);
              guard.report(report);
            } else {
              this.violation(PluginErrorCode.PROTOCOL_ERROR, `it sent a ${brief(type)} message before it was ready`);
            }
          } catch (error) {
            // Validation should leave nothing to throw; if something does, it is still that plugin's failure, not the host's.
            this.violation(
              PluginErrorCode.PROTOCOL_ERROR,
              `a message it sent could not be handled (${(error as Error)?.message ?? 'unknown error'})`,
            );
          }
        },
        violation(code, reason) {
          if (isolated) return isolated.fail(code, reason);
          refuse(
            new PluginError(code, `${failurePrefix(name, tier, code)}: ${reason}. ${failureAdvice(tier, code)}`, {
              plugin: name,
              phase: 'load',
            }),
          );
        },
        exit(reason) {
          guard.stop();
          if (isolated) return isolated.crash(reason, PluginErrorCode.CRASHED);
          refuse(
            new PluginError(PluginErrorCode.LOAD_FAILED, `plugin "${name}" could not start in its ${tier}: ${reason}`, {
              plugin: name,
              phase: 'load',
            }),
          );
        },
      };
      let transport: Transport;
      try {
        transport =
          tier === 'worker'
            ? workerTransport(message, settings, events, guard)
            : processTransport(message, init.packageDir, settings, events, guard);
        const abort = (): void =>
          refuse(
            new PluginError(
              PluginErrorCode.LOAD_FAILED,
              `plugin "${name}" was not started: the host is shutting down`,
              { plugin: name, phase: 'load' },
            ),
          );
        if (signal?.aborted) abort();
        else signal?.addEventListener('abort', abort, { once: true });
      } catch (error) {
        if (loading) clearTimeout(loading);
        guard.stop();
        reject(
          new PluginError(
            PluginErrorCode.LOAD_FAILED,
            `plugin "${name}" could not start in its ${tier}: ${(error as Error).message}`,
            {
              plugin: name,
              phase: 'load',
            },
          ),
        );
      }
    });
  }

  get alive(): boolean {
    return this.dead === undefined;
  }

  /** Hears why the isolate ended (not after `stop`): the reason and `PLUGIN_CRASHED`, `PLUGIN_PROTOCOL_ERROR` or `PLUGIN_RESOURCE_LIMIT`. */
  onCrash(listener: (reason: string, code: FailureCode) => void): void {
    this.crashListeners.push(listener);
  }

  /** A plugin method: its result, or the error it threw (as a `PluginError` when it has a code). */
  call(method: string, args: unknown[]): Promise<unknown> {
    return this.request({ type: 'call', method, args }, `method "${method}"`, this.settings.callTimeoutMs);
  }

  /** A lifecycle phase; the host's `signal` (its phase timeout) makes the isolate abort, and kills it if it does not answer soon after. */
  phase(phase: string, config: unknown, signal?: AbortSignal): Promise<unknown> {
    return this.request({ type: 'phase', phase, config }, phase, undefined, signal);
  }

  hook(method: string, hook: string, payload: unknown, signal?: AbortSignal): Promise<unknown> {
    return this.request({ type: 'hook', method, hook, payload }, `hook "${hook}"`, undefined, signal);
  }

  /** Ends the isolate (no crash reported). */
  stop(): void {
    if (this.dead) return;
    this.end('stopped');
    this.rejectAll(
      new PluginError(PluginErrorCode.CRASHED, `plugin "${this.name}" was stopped. The call was not completed.`, {
        plugin: this.name,
      }),
    );
  }

  /** Stops the isolate for breaking the protocol or a cap: calls in flight get `code`, listeners hear it. */
  private fail(code: FailureCode, reason: string): void {
    this.crash(reason, code);
  }

  private request(
    message: Record<string, unknown>,
    what: string,
    timeoutMs?: number,
    signal?: AbortSignal,
  ): Promise<unknown> {
    if (this.dead) return Promise.reject(this.failureError(this.dead, this.deadCode));
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      const pending: Pending = { resolve, reject, what };
      this.pending.set(id, pending);
      if (this.pending.size === 1) this.transport.hold(true);
      if (timeoutMs !== undefined && Number.isFinite(timeoutMs))
        this.expect(pending, timeoutMs, `${what} did not answer within ${timeoutMs} ms`);
      signal?.addEventListener(
        'abort',
        () => {
          this.sendSafely({ type: 'abort', id });
          this.expect(pending, ABORT_GRACE_MS, `${what} did not stop within ${ABORT_GRACE_MS} ms of its timeout`);
        },
        { once: true },
      );
      try {
        this.transport.send({ ...message, id });
      } catch (error) {
        this.settle(id);
        reject(
          new PluginError(
            PluginErrorCode.NOT_CLONEABLE,
            `plugin "${this.name}": the arguments of ${what} cannot cross the isolation boundary (${(error as Error).message}). Pass plain data.`,
            { plugin: this.name },
          ),
        );
      }
    });
  }

  /** One message from the isolate, after `ready`. Results are the hot path: a few typeof checks. */
  private receive(raw: unknown): void {
    if (this.dead) return;
    const msg = raw as Record<string, unknown> | null;
    switch (typeof msg === 'object' && msg !== null ? msg.type : undefined) {
      case 'result':
        return this.result(msg!);
      case 'host-call': {
        const args = payload(msg!, 'args', this.settings.maxMessageBytes);
        if (args instanceof Violation) return this.fail(args.code as FailureCode, `a "host-call": ${args.problem}`);
        const call = readHostCall(msg!, args);
        if (call instanceof Violation) return this.fail(PluginErrorCode.PROTOCOL_ERROR, call.problem);
        return this.answerHostCall(call.id, call.token, call.method, call.args);
      }
      case 'log': {
        const log = readLog(msg!);
        if (log instanceof Violation) return this.fail(PluginErrorCode.PROTOCOL_ERROR, log.problem);
        return writeLog(this.settings, log.level, log.message);
      }
      case 'memory': {
        const report = readMemory(msg!);
        if (report instanceof Violation) return this.fail(PluginErrorCode.PROTOCOL_ERROR, report.problem);
        return this.guard.report(report);
      }
      default: {
        const type = messageType(raw);
        this.fail(
          PluginErrorCode.PROTOCOL_ERROR,
          type instanceof Violation ? type.problem : `it sent a ${brief(type)} message after it was ready`,
        );
      }
    }
  }

  private result(msg: Record<string, unknown>): void {
    const id = msg.id;
    const pending = isId(id) ? this.pending.get(id) : undefined;
    if (!pending)
      return this.fail(
        PluginErrorCode.PROTOCOL_ERROR,
        `it sent a "result" for ${brief(id)}, which is no call in flight`,
      );
    if (msg.ok === true) {
      const value = payload(msg, 'value', this.settings.maxMessageBytes);
      if (value instanceof Violation)
        return this.fail(value.code as FailureCode, `the result of ${pending.what}: ${value.problem}`);
      this.settle(id as number);
      return pending.resolve(value);
    }
    const error =
      msg.ok === false
        ? readRemoteError(msg.error)
        : new Violation(PluginErrorCode.PROTOCOL_ERROR, `"ok" must be true or false (got ${brief(msg.ok)})`);
    if (error instanceof Violation)
      return this.fail(PluginErrorCode.PROTOCOL_ERROR, `its "result" for ${pending.what}: ${error.problem}`);
    this.settle(id as number);
    pending.reject(toPluginError(this.name, error, undefined, `failed in ${pending.what}`));
  }

  /** `ctx.get(token).method(...args)` from the isolate; the answer goes back whatever happens. */
  private answerHostCall(id: number, token: string, method: string, args: unknown[]): void {
    let answer: Promise<unknown>;
    try {
      answer = this.hostCall(token, method, args);
    } catch (error) {
      answer = Promise.reject(error as Error);
    }
    answer.then(
      (value) => {
        try {
          if (!this.dead) this.transport.send({ type: 'host-result', id, ok: true, value });
        } catch (error) {
          const message = `plugin "${this.name}": host service "${token}".${method}() returned a value that cannot cross the isolation boundary (${(error as Error).message})`;
          this.sendSafely({
            type: 'host-result',
            id,
            ok: false,
            error: { name: 'PluginError', message, code: PluginErrorCode.NOT_CLONEABLE },
          });
        }
      },
      (error: unknown) => {
        const { name, message, code } = (
          typeof error === 'object' && error !== null ? error : { message: String(error) }
        ) as Partial<PluginError>;
        this.sendSafely({
          type: 'host-result',
          id,
          ok: false,
          error: { name: String(name ?? 'Error'), message: String(message), code },
        });
      },
    );
  }

  /** The isolate died, hung, broke the protocol or a cap: kill it, reject everything in flight, tell the listeners once. */
  private crash(reason: string, code: FailureCode): void {
    if (this.dead) return;
    this.deadCode = code;
    this.end(reason);
    this.rejectAll(this.failureError(reason, code));
    for (const listener of this.crashListeners) listener(reason, code);
  }

  private end(reason: string): void {
    this.stopSweeping();
    this.dead = reason;
    liveIsolates.delete(this);
    this.guard.stop();
    this.transport.kill();
  }

  private rejectAll(error: PluginError): void {
    for (const id of [...this.pending.keys()]) this.settle(id)!.reject(error);
  }

  private failureError(reason: string, code: FailureCode): PluginError {
    const { tier } = this.settings;
    const message =
      code === PluginErrorCode.CRASHED
        ? `plugin "${this.name}" (${tier}) crashed: ${reason}. The call was not completed.`
        : `${failurePrefix(this.name, tier, code)}: ${reason}. ${failureAdvice(tier, code)}`;
    return new PluginError(code, message, { plugin: this.name, details: { reason } });
  }

  /**
   * Deadlines are checked by one sweeping timer per isolate rather than a timer per call: a call costs a
   * message and a map entry, not a setTimeout and a clearTimeout.
   */
  private expect(pending: Pending, withinMs: number, overdue: string): void {
    pending.deadline = performance.now() + withinMs;
    pending.overdue = overdue;
    const step = Math.max(10, Math.min(withinMs / 4, 250));
    if (this.sweeper && this.sweepStep <= step) return;
    clearInterval(this.sweeper);
    this.sweepStep = step;
    this.sweeper = setInterval(() => this.sweep(), step);
    this.sweeper.unref();
  }

  private sweep(): void {
    const now = performance.now();
    for (const pending of this.pending.values()) {
      if (pending.deadline !== undefined && now >= pending.deadline)
        return this.crash(pending.overdue!, PluginErrorCode.CRASHED);
    }
    if (this.pending.size === 0) this.stopSweeping();
  }

  private stopSweeping(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.sweepStep = Infinity;
  }

  private settle(id: number): Pending | undefined {
    const pending = this.pending.get(id);
    this.pending.delete(id);
    // An idle isolate does not keep the host process alive; one with a call waiting does.
    if (pending && this.pending.size === 0 && !this.dead) this.transport.hold(false);
    return pending;
  }

  private sendSafely(message: unknown): void {
    try {
      if (!this.dead) this.transport.send(message);
    } catch {
      // the isolate is going away; its exit is reported
    }
  }
}

function failurePrefix(name: string, tier: string, code: FailureCode): string {
  if (code === PluginErrorCode.PROTOCOL_ERROR) return `plugin "${name}" (${tier}) broke the host–isolate protocol`;
  if (code === PluginErrorCode.RESOURCE_LIMIT) return `plugin "${name}" (${tier}) went over a resource limit`;
  return `plugin "${name}" (${tier}) crashed`;
}

function failureAdvice(tier: string, code: FailureCode): string {
  if (code === PluginErrorCode.PROTOCOL_ERROR)
    return `Its ${tier} was stopped and is not restarted: fix the plugin, then enable it.`;
  if (code === PluginErrorCode.RESOURCE_LIMIT)
    return `Its ${tier} was stopped. Make it use less, or raise memoryMb / maxMessageBytes in its isolation rule.`;
  return 'The call was not completed.';
}

function writeLog(settings: IsolationSettings, level: string, message: string): void {
  const logger = settings.logger as unknown as Record<string, ((message: string) => void) | undefined>;
  const write = logger[level] ?? logger.log;
  write?.call(settings.logger, `[${settings.tier}] ${message}`);
}

/**
 * A payload a worker sent either as is (`field`) or, when large, serialized (`bytes`): then it is checked against
 * `maxMessageBytes` before it is read. The payload, or a violation.
 */
function payload(msg: Record<string, unknown>, field: string, maxBytes: number): unknown {
  const bytes = msg.bytes;
  if (bytes === undefined) return msg[field];
  if (!(bytes instanceof Uint8Array))
    return new Violation(PluginErrorCode.PROTOCOL_ERROR, `"bytes" must be a Uint8Array (got ${brief(bytes)})`);
  if (bytes.byteLength > maxBytes)
    return new Violation(PluginErrorCode.RESOURCE_LIMIT, overLimit(bytes.byteLength, maxBytes));
  try {
    return deserialize(bytes);
  } catch (error) {
    return new Violation(
      PluginErrorCode.PROTOCOL_ERROR,
      `its serialized payload could not be read (${(error as Error).message})`,
    );
  }
}

function overLimit(bytes: number, limit: number): string {
  return `it is ${(bytes / 2 ** 20).toFixed(1)} MB, over maxMessageBytes (${(limit / 2 ** 20).toFixed(1)} MB)`;
}

function workerTransport(
  init: unknown,
  settings: IsolationSettings,
  events: TransportEvents,
  guard: MemoryGuard,
): Transport {
  const worker = new Worker(RUNTIME, {
    workerData: { init },
    resourceLimits: { maxOldGenerationSizeMb: settings.heapMb },
    stdout: false,
    stderr: false,
  });
  let lastError: string | undefined;
  worker.on('message', (raw: unknown) => events.message(raw));
  worker.on('error', (error: Error & { code?: string }) => {
    lastError =
      error.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? `it ran out of memory (heap limit ${settings.heapMb} MB)`
        : `uncaught ${error.name}: ${error.message}`;
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('exit', (code) => events.exit(lastError ?? `its worker exited with code ${code}`));
  guard.watchWorker();
  return {
    send: (message) => worker.postMessage(message),
    kill: () => {
      awaitExit(exited);
      worker.ref(); // a host awaiting the exit must not see its event loop end first
      void worker.terminate();
    },
    hold: (held) => (held ? worker.ref() : worker.unref()),
  };
}

function processTransport(
  init: unknown,
  packageDir: string,
  settings: IsolationSettings,
  events: TransportEvents,
  guard: MemoryGuard,
): Transport {
  let stderr = '';
  const [command, ...prefix] = parentDeathWrapper();
  const child: ChildProcess = spawn(
    command ?? process.execPath,
    [
      ...prefix,
      ...(command ? [process.execPath] : []),
      ...permissionFlags(packageDir, settings),
      `--max-old-space-size=${settings.heapMb}`,
      '--no-warnings',
      RUNTIME,
    ],
    {
      // fd 3: the frames in both directions. No IPC channel: Node's IPC buffers whole messages of any size.
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      env: { NODE_ENV: process.env.NODE_ENV, PATH: process.env.PATH },
      // Its own session and process group: a terminal's Ctrl-C reaches the host, which stops it in order.
      detached: process.platform !== 'win32',
      windowsHide: true,
      ...(settings.uid !== undefined && { uid: settings.uid }),
      ...(settings.gid !== undefined && { gid: settings.gid }),
    },
  );
  const pipe = child.stdio[3] as Socket;
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()).once('error', () => resolve()));
  let gone = false;
  const reader = new FrameReader(
    settings.maxMessageBytes,
    (body) => {
      let message: unknown;
      try {
        message = deserialize(body);
      } catch (error) {
        return events.violation(
          PluginErrorCode.PROTOCOL_ERROR,
          `a frame it sent could not be read (${(error as Error).message})`,
        );
      }
      events.message(message);
    },
    (announced) =>
      announced === 0
        ? events.violation(PluginErrorCode.PROTOCOL_ERROR, 'it sent an empty frame')
        : events.violation(
            PluginErrorCode.RESOURCE_LIMIT,
            `it sent a message that ${overLimit(announced, settings.maxMessageBytes).slice(3)}`,
          ),
  );
  pipe.on('data', (chunk: Buffer) => reader.push(chunk));
  pipe.on('error', () => undefined); // EPIPE when it dies: its exit is reported
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const end = (reason: string): void => {
    if (gone) return;
    gone = true;
    reader.stop();
    pipe.destroy();
    events.exit(reason);
  };
  child.on('exit', (code, signal) => {
    const lastLine = stderr.trim().split('\n').filter(Boolean).at(-1);
    const oom = /heap out of memory|Allocation failed/i.test(stderr);
    end(
      oom
        ? `it ran out of memory (heap limit ${settings.heapMb} MB)`
        : `its process exited (${signal ?? `code ${code}`})${lastLine ? `: ${lastLine}` : ''}`,
    );
  });
  child.on('error', (error) => {
    child.kill('SIGKILL');
    end(`its process failed: ${error.message}`);
  });
  if (child.pid !== undefined && hostSamplesProcesses()) guard.watchProcess(child.pid);
  const send = (message: unknown): void => void pipe.write(frame(serialize(message)));
  send(init);
  const hold = (held: boolean): void => {
    for (const handle of [child, pipe, child.stderr as Socket | null]) {
      if (held) handle?.ref();
      else handle?.unref();
    }
  };
  return {
    send,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) {
        awaitExit(exited);
        child.ref(); // a host awaiting the exit must not see its event loop end first
      }
      reader.stop();
      child.kill('SIGKILL');
      pipe.destroy();
      child.stderr?.destroy(); // the reason is known: nothing more to read
    },
    hold,
  };
}

let deathWrapper: string[] | undefined;

/**
 * On Linux, util-linux's `setpriv --pdeathsig KILL` makes the kernel kill the child when the host dies, even if
 * the child's event loop is blocked (Node cannot call prctl(PR_SET_PDEATHSIG) itself). Checked once; where it is
 * missing (or `NESTJS_PLUGIN_HOST_PDEATHSIG=0`), the runtime's own watch (the pipe closing, the parent pid
 * changing) is all there is.
 */
function parentDeathWrapper(): string[] {
  if (deathWrapper) return deathWrapper;
  deathWrapper = [];
  if (process.platform !== 'linux' || process.env.NESTJS_PLUGIN_HOST_PDEATHSIG === '0') return deathWrapper;
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path));
  if (
    setpriv &&
    spawnSync(setpriv, ['--pdeathsig', 'KILL', '--', process.execPath, '--version'], { stdio: 'ignore', timeout: 5000 })
      .status === 0
  )
    deathWrapper = [setpriv, '--pdeathsig', 'KILL', '--'];
  return deathWrapper;
}

/**
 * Node's permission model for the `process` tier: read the plugin's package, the
 * runtime and the installed packages (node_modules) code is loaded from, plus
 * what the host grants; write only what the host grants; no child processes, no
 * workers.
 */
function permissionFlags(packageDir: string, settings: IsolationSettings): string[] {
  const flag = process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission';
  const read = [packageDir, dirname(RUNTIME), LIBRARY_ROOT, ...settings.moduleDirs, ...settings.allowRead];
  return [
    flag,
    ...read.map((path) => `--allow-fs-read=${path}`),
    ...settings.allowWrite.map((path) => `--allow-fs-write=${path}`),
  ];
}

/** The host-side class of an isolated plugin: one method per plugin method, each a message. */
function remoteClass(name: string, ready: Ready, isolate: IsolatedPlugin): Type<object> {
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

function toPluginError(plugin: string, error: RemoteError, fallback: PluginErrorCode | undefined, what: string): Error {
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
