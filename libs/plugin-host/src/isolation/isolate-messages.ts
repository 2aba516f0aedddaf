import { deserialize } from 'node:v8';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import { Violation, brief, type HostCallMessage } from './isolation-protocol.js';
import type { IsolationSettings } from './isolation-settings.js';

/** Why an isolate ended, as its plugin reports it: it crashed, broke the protocol, or went over a resource cap. */
export type FailureCode =
  typeof PluginErrorCode.CRASHED | typeof PluginErrorCode.PROTOCOL_ERROR | typeof PluginErrorCode.RESOURCE_LIMIT;

export function failurePrefix(name: string, tier: string, code: FailureCode): string {
  if (code === PluginErrorCode.PROTOCOL_ERROR) return `plugin "${name}" (${tier}) broke the host–isolate protocol`;
  if (code === PluginErrorCode.RESOURCE_LIMIT) return `plugin "${name}" (${tier}) went over a resource limit`;
  return `plugin "${name}" (${tier}) crashed`;
}

export function failureAdvice(tier: string, code: FailureCode): string {
  if (code === PluginErrorCode.PROTOCOL_ERROR)
    return `Its ${tier} was stopped and is not restarted: fix the plugin, then enable it.`;
  if (code === PluginErrorCode.RESOURCE_LIMIT)
    return `Its ${tier} was stopped. Make it use less, or raise memoryMb / maxMessageBytes in its isolation rule.`;
  return 'The call was not completed.';
}

export function writeLog(settings: IsolationSettings, level: string, message: string): void {
  const logger = settings.logger as unknown as Record<string, ((message: string) => void) | undefined>;
  const write = logger[level] ?? logger.log;
  write?.call(settings.logger, `[${settings.tier}] ${message}`);
}

/**
 * A payload a worker sent either as is (`field`) or, when large, serialized (`bytes`): then it is checked against
 * `maxMessageBytes` before it is read. The payload, or a violation.
 */
export function payload(msg: Record<string, unknown>, field: string, maxBytes: number): unknown {
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

export function overLimit(bytes: number, limit: number): string {
  return `it is ${(bytes / 2 ** 20).toFixed(1)} MB, over maxMessageBytes (${(limit / 2 ** 20).toFixed(1)} MB)`;
}

/** What a call in flight to a dead isolate (or one that just died) is rejected with. */
export function failureError(name: string, tier: string, reason: string, code: FailureCode): PluginError {
  const message =
    code === PluginErrorCode.CRASHED
      ? `plugin "${name}" (${tier}) crashed: ${reason}. The call was not completed.`
      : `${failurePrefix(name, tier, code)}: ${reason}. ${failureAdvice(tier, code)}`;
  return new PluginError(code, message, { plugin: name, details: { reason } });
}

/** What the isolate may ask of the host: a method of an exposed service. */
export type HostCall = (token: string, method: string, args: unknown[]) => Promise<unknown>;

/** `ctx.get(token).method(...args)` from the isolate (`plugin`), answered through `sender` whatever happens. */
export function answerHostCall(
  plugin: string,
  hostCall: HostCall,
  { id, token, method, args }: HostCallMessage,
  sender: { send(message: unknown): void; sendSafely(message: unknown): void },
): void {
  let answer: Promise<unknown>;
  try {
    answer = hostCall(token, method, args);
  } catch (error) {
    answer = Promise.reject(error as Error);
  }
  answer.then(
    (value) => {
      try {
        sender.send({ type: 'host-result', id, ok: true, value });
      } catch (error) {
        const message = `plugin "${plugin}": host service "${token}".${method}() returned a value that cannot cross the isolation boundary (${(error as Error).message})`;
        sender.sendSafely({
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
      sender.sendSafely({
        type: 'host-result',
        id,
        ok: false,
        error: { name: String(name ?? 'Error'), message: String(message), code },
      });
    },
  );
}
