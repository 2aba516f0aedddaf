import type { Type } from '@nestjs/common';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import {
  answerHostCall,
  failureError,
  payload,
  writeLog,
  type FailureCode,
  type HostCall,
} from './isolate-messages.js';
import { startIsolate, type IsolateInit } from './isolate-start.js';
import {
  Violation,
  brief,
  isId,
  messageType,
  readHostCall,
  readLog,
  readMemory,
  readRemoteError,
} from './isolation-protocol.js';
import type { Ready } from './ready-message.js';
import type { IsolationSettings } from './isolation-settings.js';
import type { MemoryGuard } from './memory-guard.js';
import { ABORT_GRACE_MS, PendingRequests, type Pending } from './pending-requests.js';
import { remoteClass, toPluginError } from './remote-class.js';
import type { Transport } from './transports.js';

// The isolates' code loads from here, lazily (IsolationSupervisor): what the host uses of it.
export type { FailureCode, HostCall } from './isolate-messages.js';
export { isolatesExited } from './transports.js';

/** Every isolate alive in this process (tests check none is left after shutdown). */
export const liveIsolates = new Set<IsolatedPlugin>();

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
  private readonly pending: PendingRequests;
  private nextId = 0;
  private dead?: string;
  private deadCode: FailureCode = PluginErrorCode.CRASHED;
  private readonly crashListeners: ((reason: string, code: FailureCode) => void)[] = [];

  private constructor(
    readonly name: string,
    private readonly transport: Transport,
    ready: Ready,
    private readonly settings: IsolationSettings,
    private readonly hostCall: HostCall,
    private readonly guard: MemoryGuard,
  ) {
    this.ready = ready;
    this.pending = new PendingRequests(
      (busy) => this.dead === undefined && transport.hold(busy),
      (overdue) => this.crash(overdue, PluginErrorCode.CRASHED),
    );
    this.remoteClass = remoteClass(name, ready, this);
    this.instance = new this.remoteClass();
    liveIsolates.add(this);
    transport.hold(false); // loaded: from now on only a waiting call keeps the host alive
  }

  /** Starts the isolate and waits until it has imported the plugin (see `startIsolate` for what can go wrong). */
  static start(init: IsolateInit, settings: IsolationSettings, hostCall: HostCall, signal?: AbortSignal) {
    return startIsolate(init, settings, signal, {
      created: (transport, ready, guard) => new IsolatedPlugin(init.name, transport, ready, settings, hostCall, guard),
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

  /** The limits and grants it runs with. */
  get limits(): Readonly<IsolationSettings> {
    return this.settings;
  }

  /** Ends the isolate (no crash reported). */
  stop(): void {
    if (this.dead) return;
    this.end('stopped');
    this.pending.rejectAll(
      new PluginError(PluginErrorCode.CRASHED, `plugin "${this.name}" was stopped. The call was not completed.`, {
        plugin: this.name,
      }),
    );
  }

  /** One request to the isolate (its answer's `value`, checked against the protocol). Used by route-requests.ts too. */
  request(message: Record<string, unknown>, what: string, timeoutMs?: number, signal?: AbortSignal): Promise<unknown> {
    if (this.dead) return Promise.reject(failureError(this.name, this.settings.tier, this.dead, this.deadCode));
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      const pending: Pending = { resolve, reject, what };
      this.pending.add(id, pending);
      if (timeoutMs !== undefined && Number.isFinite(timeoutMs))
        this.pending.expect(pending, timeoutMs, `${what} did not answer within ${timeoutMs} ms`);
      signal?.addEventListener(
        'abort',
        () => {
          this.sender.sendSafely({ type: 'abort', id });
          this.pending.expect(
            pending,
            ABORT_GRACE_MS,
            `${what} did not stop within ${ABORT_GRACE_MS} ms of its timeout`,
          );
        },
        { once: true },
      );
      try {
        this.transport.send({ ...message, id });
      } catch (error) {
        this.pending.settle(id);
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
  receive(raw: unknown): void {
    if (this.dead) return;
    const msg = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : undefined;
    switch (msg?.type) {
      case 'result':
        return this.result(msg);
      case 'host-call': {
        const args = payload(msg, 'args', this.settings.maxMessageBytes);
        if (args instanceof Violation) return this.crash(`a "host-call": ${args.problem}`, args.code as FailureCode);
        const call = readHostCall(msg, args);
        if (call instanceof Violation) return this.crash(call.problem, PluginErrorCode.PROTOCOL_ERROR);
        return answerHostCall(this.name, this.hostCall, call, this.sender);
      }
      case 'log': {
        const log = readLog(msg);
        if (log instanceof Violation) return this.crash(log.problem, PluginErrorCode.PROTOCOL_ERROR);
        return writeLog(this.settings, log.level, log.message);
      }
      case 'memory': {
        const report = readMemory(msg);
        if (report instanceof Violation) return this.crash(report.problem, PluginErrorCode.PROTOCOL_ERROR);
        return this.guard.report(report);
      }
      default: {
        const type = messageType(raw);
        this.crash(
          type instanceof Violation ? type.problem : `it sent a ${brief(type)} message after it was ready`,
          PluginErrorCode.PROTOCOL_ERROR,
        );
      }
    }
  }

  private result(msg: Record<string, unknown>): void {
    const id = msg.id;
    const pending = isId(id) ? this.pending.get(id) : undefined;
    if (!pending)
      return this.crash(
        `it sent a "result" for ${brief(id)}, which is no call in flight`,
        PluginErrorCode.PROTOCOL_ERROR,
      );
    if (msg.ok === true) {
      const value = payload(msg, 'value', this.settings.maxMessageBytes);
      if (value instanceof Violation)
        return this.crash(`the result of ${pending.what}: ${value.problem}`, value.code as FailureCode);
      this.pending.settle(id as number);
      return pending.resolve(value);
    }
    const error =
      msg.ok === false
        ? readRemoteError(msg.error)
        : new Violation(PluginErrorCode.PROTOCOL_ERROR, `"ok" must be true or false (got ${brief(msg.ok)})`);
    if (error instanceof Violation)
      return this.crash(`its "result" for ${pending.what}: ${error.problem}`, PluginErrorCode.PROTOCOL_ERROR);
    this.pending.settle(id as number);
    pending.reject(toPluginError(this.name, error, undefined, `failed in ${pending.what}`));
  }

  /** The isolate died, hung, broke the protocol or a cap: kill it, reject everything in flight, tell the listeners once. */
  crash(reason: string, code: FailureCode): void {
    if (this.dead) return;
    this.deadCode = code;
    this.end(reason);
    this.pending.rejectAll(failureError(this.name, this.settings.tier, reason, code));
    for (const listener of this.crashListeners) listener(reason, code);
  }

  private end(reason: string): void {
    this.pending.stopSweeping();
    this.dead = reason;
    liveIsolates.delete(this);
    this.guard.stop();
    this.transport.kill();
  }

  /** Sends while the isolate lives: `send` throws what cannot be cloned, `sendSafely` nothing (a dying isolate's exit is reported). */
  private readonly sender = {
    send: (message: unknown): void => {
      if (!this.dead) this.transport.send(message);
    },
    sendSafely: (message: unknown): void => {
      try {
        this.sender.send(message);
      } catch {
        // the isolate is going away; its exit is reported
      }
    },
  };
}
