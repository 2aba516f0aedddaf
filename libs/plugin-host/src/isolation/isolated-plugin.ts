import type { Type } from '@nestjs/common';
import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import { OnHook, type HookImplementation } from '../hooks/on-hook.decorator.js';
import type { IsolationSettings } from './isolation-settings.js';

/** The runtime the worker or child process runs (plain JS, loadable from src and dist). */
const RUNTIME = fileURLToPath(new URL('./runtime/plugin-runtime.mjs', import.meta.url));
/** This library's package folder: isolates load its code (the plugin imports it). */
const LIBRARY_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const LIFECYCLE_WITH_CONFIG = new Set(['initialize', 'configure', 'checkRequirements']);
const LIFECYCLE = new Set([...LIFECYCLE_WITH_CONFIG, 'healthCheck', 'cleanup']);
// How long an isolate may take to answer after the host gave up on a phase before it is killed as hung.
const ABORT_GRACE_MS = 1000;

interface RemoteError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
  details?: Record<string, unknown>;
}

interface Ready {
  methods: string[];
  asyncMethods: string[];
  hooks: HookImplementation[];
  metadata: { description?: string; timeouts?: Record<string, number>; inject?: string[] };
}

/** What the isolate may ask of the host: a method of an exposed service. */
export type HostCall = (token: string, method: string, args: unknown[]) => Promise<unknown>;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  /** When the host stops waiting (performance.now() ms), and what it then reports. */
  deadline?: number;
  overdue?: string;
  what: string;
}

interface Transport {
  send(message: unknown): void;
  kill(): void;
  /** Keep the host's event loop alive (a call is waiting for an answer), or not (idle). */
  hold(held: boolean): void;
}

/** Every isolate alive in this process (tests check none is left after shutdown). */
export const liveIsolates = new Set<IsolatedPlugin>();

/**
 * One isolated plugin instance: a worker thread or a child process running the
 * plugin, and on the host side an object of a generated class whose methods send
 * messages. Every call has a timeout; an isolate that dies, runs out of memory or
 * stops answering is killed, every call in flight is rejected with
 * `PLUGIN_CRASHED`, and `onCrash` listeners hear why.
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
  private readonly crashListeners: ((reason: string) => void)[] = [];
  private sweeper?: NodeJS.Timeout;
  private sweepStep = Infinity;

  private constructor(
    readonly name: string,
    private readonly transport: Transport,
    ready: Ready,
    private readonly settings: IsolationSettings,
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
   * @throws PluginError `PLUGIN_LOAD_FAILED` (or the code the isolate gave, e.g. `PLUGIN_MANIFEST_INVALID`) when it cannot
   */
  static start(
    init: { name: string; entryPath: string; exportName?: string; packageDir: string },
    settings: IsolationSettings,
    hostCall: HostCall,
  ): Promise<IsolatedPlugin> {
    const message = { type: 'init', name: init.name, entryUrl: pathToFileURL(init.entryPath).href, exportName: init.exportName };
    return new Promise((resolve, reject) => {
      let isolated: IsolatedPlugin | undefined;
      const onMessage = (raw: unknown): void => {
        const msg = raw as { type: string } & Record<string, unknown>;
        if (msg.type === 'ready' && !isolated) {
          isolated = new IsolatedPlugin(init.name, transport, msg as unknown as Ready, settings);
          resolve(isolated);
        } else if (msg.type === 'load-error') {
          transport.kill();
          reject(toPluginError(init.name, msg.error as RemoteError, PluginErrorCode.LOAD_FAILED, `could not be loaded in its ${settings.tier}`) as PluginError);
        } else isolated?.receive(msg, hostCall);
      };
      const onExit = (reason: string): void => {
        if (isolated) isolated.crash(reason);
        else
          reject(
            new PluginError(PluginErrorCode.LOAD_FAILED, `plugin "${init.name}" could not start in its ${settings.tier}: ${reason}`, {
              plugin: init.name,
              phase: 'load',
            }),
          );
      };
      const transport =
        settings.tier === 'worker'
          ? workerTransport(message, settings, onMessage, onExit)
          : processTransport(message, init.packageDir, settings, onMessage, onExit);
    });
  }

  get alive(): boolean {
    return this.dead === undefined;
  }

  onCrash(listener: (reason: string) => void): void {
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
    this.stopSweeping();
    this.dead = 'stopped';
    liveIsolates.delete(this);
    this.transport.kill();
    this.rejectAll(`plugin "${this.name}" was stopped`);
  }

  private request(message: Record<string, unknown>, what: string, timeoutMs?: number, signal?: AbortSignal): Promise<unknown> {
    if (this.dead) return Promise.reject(this.crashedError(this.dead));
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      const pending: Pending = { resolve, reject, what };
      this.pending.set(id, pending);
      if (this.pending.size === 1) this.transport.hold(true);
      if (timeoutMs !== undefined && Number.isFinite(timeoutMs)) this.expect(pending, timeoutMs, `${what} did not answer within ${timeoutMs} ms`);
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

  private receive(msg: Record<string, unknown>, hostCall: HostCall): void {
    if (msg.type === 'result') {
      const pending = this.settle(msg.id as number);
      if (!pending) return;
      if (msg.ok) pending.resolve(msg.value);
      else pending.reject(toPluginError(this.name, msg.error as RemoteError, undefined, `failed in ${pending.what}`));
    } else if (msg.type === 'host-call') {
      hostCall(msg.token as string, msg.method as string, msg.args as unknown[]).then(
        (value) => this.sendSafely({ type: 'host-result', id: msg.id, ok: true, value }),
        (error: Error) =>
          this.sendSafely({
            type: 'host-result',
            id: msg.id,
            ok: false,
            error: { name: error.name, message: error.message, code: (error as PluginError).code },
          }),
      );
    } else if (msg.type === 'log') {
      this.settings.logger[(msg.level as 'log') ?? 'log'](`[${this.settings.tier}] ${String(msg.message)}`);
    }
  }

  /** The isolate died or hung: kill it, reject everything in flight, tell the listeners once. */
  private crash(reason: string): void {
    if (this.dead) return;
    this.stopSweeping();
    this.dead = reason;
    liveIsolates.delete(this);
    this.transport.kill();
    this.rejectAll(reason);
    for (const listener of this.crashListeners) listener(reason);
  }

  private rejectAll(reason: string): void {
    for (const id of [...this.pending.keys()]) this.settle(id)!.reject(this.crashedError(reason));
  }

  private crashedError(reason: string): PluginError {
    return new PluginError(PluginErrorCode.CRASHED, `plugin "${this.name}" (${this.settings.tier}) crashed: ${reason}. The call was not completed.`, {
      plugin: this.name,
      details: { reason },
    });
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
      if (pending.deadline !== undefined && now >= pending.deadline) return this.crash(pending.overdue!);
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

function workerTransport(init: unknown, settings: IsolationSettings, onMessage: (msg: unknown) => void, onExit: (reason: string) => void): Transport {
  const worker = new Worker(RUNTIME, {
    workerData: { init },
    resourceLimits: { maxOldGenerationSizeMb: settings.heapMb },
    stdout: false,
    stderr: false,
  });
  let lastError: string | undefined;
  worker.on('message', onMessage);
  worker.on('error', (error: Error & { code?: string }) => {
    lastError =
      error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `it ran out of memory (heap limit ${settings.heapMb} MB)` : `uncaught ${error.name}: ${error.message}`;
  });
  worker.on('exit', (code) => onExit(lastError ?? `its worker exited with code ${code}`));
  return {
    send: (message) => worker.postMessage(message),
    kill: () => void worker.terminate(),
    hold: (held) => (held ? worker.ref() : worker.unref()),
  };
}

function processTransport(
  init: unknown,
  packageDir: string,
  settings: IsolationSettings,
  onMessage: (msg: unknown) => void,
  onExit: (reason: string) => void,
): Transport {
  let stderr = '';
  const child: ChildProcess = fork(RUNTIME, [], {
    execArgv: [...permissionFlags(packageDir, settings), `--max-old-space-size=${settings.heapMb}`, '--no-warnings'],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { NODE_ENV: process.env.NODE_ENV, PATH: process.env.PATH },
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  child.on('message', onMessage);
  child.on('exit', (code, signal) => {
    const lastLine = stderr.trim().split('\n').filter(Boolean).at(-1);
    const oom = /heap out of memory|Allocation failed/i.test(stderr);
    onExit(
      oom ? `it ran out of memory (heap limit ${settings.heapMb} MB)` : `its process exited (${signal ?? `code ${code}`})${lastLine ? `: ${lastLine}` : ''}`,
    );
  });
  child.on('error', (error) => onExit(`its process failed: ${error.message}`));
  child.send(init as never);
  const hold = (held: boolean): void => {
    if (held) {
      child.ref();
      child.channel?.ref();
    } else {
      child.unref();
      child.channel?.unref();
    }
  };
  return {
    send: (message) => child.send(message as never),
    kill: () => void child.kill('SIGKILL'),
    hold,
  };
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
  return [flag, ...read.map((path) => `--allow-fs-read=${path}`), ...settings.allowWrite.map((path) => `--allow-fs-write=${path}`)];
}

/** The host-side class of an isolated plugin: one method per plugin method, each a message. */
function remoteClass(name: string, ready: Ready, isolate: IsolatedPlugin): Type<object> {
  const Remote = new Function(`return class ${name.replace(/[^A-Za-z0-9_$]/g, '_')}Isolated {}`)() as Type<object>;
  const hookMethods = new Set(ready.hooks.map((hook) => hook.method));
  for (const method of ready.methods) {
    let value: (...args: unknown[]) => Promise<unknown>;
    if (LIFECYCLE_WITH_CONFIG.has(method)) {
      // initialize(config, ctx) / configure(config, ctx) / checkRequirements(ctx): only the config crosses.
      value = async (first: unknown, ctx?: unknown) => {
        const context = (method === 'checkRequirements' ? first : ctx) as { config?: unknown; signal?: AbortSignal } | undefined;
        return isolate.phase(method, method === 'checkRequirements' ? context?.config : first, context?.signal);
      };
    } else if (LIFECYCLE.has(method)) {
      value = async (ctx?: unknown) => isolate.phase(method, undefined, (ctx as { signal?: AbortSignal } | undefined)?.signal);
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
  for (const hook of ready.hooks) OnHook(hook.hook, { priority: hook.priority, timeout: hook.timeout })(Remote.prototype, hook.method, {});
  return Remote;
}

const BUILTIN_ERRORS: Record<string, ErrorConstructor> = { Error, RangeError, TypeError, SyntaxError, ReferenceError, EvalError, URIError };

function toPluginError(plugin: string, error: RemoteError, fallback: PluginErrorCode | undefined, what: string): Error {
  const code = (Object.values(PluginErrorCode) as string[]).includes(error.code ?? '') ? (error.code as PluginErrorCode) : fallback;
  const message = error.message.replace(/^PLUGIN_[A-Z_]+: /, '');
  if (code)
    return new PluginError(code, message.startsWith('plugin "') ? message : `plugin "${plugin}" ${what}: ${message}`, { plugin, details: error.details });
  // The plugin's own error: same class (for the built-in ones), name and message, as if thrown in-process.
  const Builtin = BUILTIN_ERRORS[error.name] ?? Error;
  return Object.assign(new Builtin(error.message), { name: error.name, ...(error.code !== undefined && { code: error.code }), stack: error.stack });
}
