import { pathToFileURL } from 'node:url';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import { failureAdvice, failurePrefix, writeLog, type FailureCode } from './isolate-messages.js';
import { Violation, brief, messageType, readLog, readMemory, readRemoteError } from './isolation-protocol.js';
import { readReady, type Ready } from './ready-message.js';
import type { IsolationSettings } from './isolation-settings.js';
import { MemoryGuard, hostSamplesProcesses } from './memory-guard.js';
import { toPluginError } from './remote-class.js';
import { processTransport, workerTransport, type Transport, type TransportEvents } from './transports.js';

/** Where an isolate's plugin is: its entry file and export, in its package folder. */
export interface IsolateInit {
  name: string;
  entryPath: string;
  exportName?: string;
  packageDir: string;
}

/** The host side of a ready isolate, which takes over its messages. */
interface ConnectedIsolate {
  receive(raw: unknown): void;
  crash(reason: string, code: FailureCode): void;
}

/**
 * Starts an isolate and waits until it has imported the plugin; `connect.created` makes its host side once it is ready.
 *
 * @throws PluginError `PLUGIN_LOAD_FAILED` (or the code the isolate gave, e.g. `PLUGIN_MANIFEST_INVALID`) when it
 * cannot, or when `signal` aborts first (the host is shutting down: the isolate is ended); `PLUGIN_PROTOCOL_ERROR`
 * or `PLUGIN_RESOURCE_LIMIT` when it broke the protocol or a cap while loading; `PLUGIN_TIMEOUT` when it did not
 * finish loading within `loadTimeoutMs` (the plugin's initialize timeout)
 */
export function startIsolate<T extends ConnectedIsolate>(
  init: IsolateInit,
  settings: IsolationSettings,
  signal: AbortSignal | undefined,
  connect: { created(transport: Transport, ready: Ready, guard: MemoryGuard): T },
): Promise<T> {
  const { name } = init;
  const { tier } = settings;
  const message = {
    type: 'init',
    name,
    tier,
    entryUrl: pathToFileURL(init.entryPath).href,
    exportName: init.exportName,
    maxMessageBytes: settings.maxMessageBytes,
    // The host samples a child's memory itself where it can (a figure the plugin cannot forge).
    reportMemory: tier === 'worker' || !hostSamplesProcesses(),
  };
  return new Promise((resolve, reject) => {
    let isolated: T | undefined;
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
            isolated = connect.created(transport, ready, guard);
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
        if (isolated) return isolated.crash(reason, code);
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
          new PluginError(PluginErrorCode.LOAD_FAILED, `plugin "${name}" was not started: the host is shutting down`, {
            plugin: name,
            phase: 'load',
          }),
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
