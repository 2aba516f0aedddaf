import { PluginErrorCode } from '../errors/index.js';

/*
 * The host–isolate protocol, as the host reads it. Everything an isolate sends is untrusted input: a
 * plugin can write to its channel directly, bypassing the runtime. Each reader below checks a message's
 * shape (types, ids, counts, lengths) and returns plain values built from it, or a `Violation`; nothing
 * here throws. What only a broken or hostile sender produces is `PLUGIN_PROTOCOL_ERROR`; what an honest
 * runtime sends because of what the plugin declared (a `then` method, a bad hook timeout) is
 * `PLUGIN_MANIFEST_INVALID`.
 *
 * isolate → host: ready (ready-message.ts), load-error, result, log, host-call, memory
 * host → isolate: init (process tier), call, phase, hook, abort, host-result
 */

export const PROTOCOL_LIMITS = {
  /** Methods a plugin class may expose (its own and inherited). */
  methods: 1000,
  hooks: 1000,
  inject: 100,
  /** Characters of a method, hook or token name. */
  name: 256,
  description: 4096,
  logMessage: 16_384,
  errorMessage: 16_384,
  errorStack: 32_768,
  /** Characters of an error's `details` as JSON; larger details are dropped. */
  errorDetails: 16_384,
  hostCallArgs: 1000,
} as const;

const LOG_LEVELS = ['log', 'error', 'warn', 'debug', 'verbose'] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

/** Object.prototype's members (toString, hasOwnProperty, …): a plugin method of that name is not forwarded. */
export const OBJECT_MEMBERS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

export interface RemoteError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
  details?: Record<string, unknown>;
}

export interface HostCallMessage {
  id: number;
  token: string;
  method: string;
  args: unknown[];
}

export interface MemoryReport {
  /** V8 heap, bytes (heapTotal). */
  heap: number;
  /** Off-heap memory the isolate's objects hold (Buffers, ArrayBuffers, native), bytes. */
  external: number;
  /** The process's resident memory, bytes (meaningful in the process tier only). */
  rss: number;
}

/** A message the host refuses, with the code its plugin fails with. */
export class Violation {
  constructor(
    readonly code: PluginErrorCode,
    readonly problem: string,
  ) {}
}

export const protocol = (problem: string): Violation => new Violation(PluginErrorCode.PROTOCOL_ERROR, problem);

/** A value as it reads in a message: short, and never by running anything of it. */
export function brief(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

export function isName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= PROTOCOL_LIMITS.name;
}

/** The type of a message, or what is wrong with it. */
export function messageType(raw: unknown): string | Violation {
  if (!isRecord(raw)) return protocol(`a message must be an object (got ${brief(raw)})`);
  return typeof raw.type === 'string' ? raw.type : protocol(`a message needs a string "type" (got ${brief(raw.type)})`);
}

/** An error the isolate reports (a `result` or `load-error`): any shape is read as strings, never trusted as-is. */
export function readRemoteError(value: unknown): RemoteError | Violation {
  if (typeof value !== 'object' || value === null) return protocol(`an error must be an object (got ${brief(value)})`);
  const error = value as Record<string, unknown>;
  return {
    name: typeof error.name === 'string' && error.name !== '' ? error.name.slice(0, 200) : 'Error',
    message:
      typeof error.message === 'string'
        ? error.message.slice(0, PROTOCOL_LIMITS.errorMessage)
        : typeof error.message === 'number' || typeof error.message === 'boolean'
          ? String(error.message)
          : '(no message)',
    code: typeof error.code === 'string' ? error.code.slice(0, 100) : undefined,
    stack: typeof error.stack === 'string' ? error.stack.slice(0, PROTOCOL_LIMITS.errorStack) : undefined,
    details: plainDetails(error.details),
  };
}

/** An error's details as plain JSON data (no cycles, no prototypes), or nothing when they are not or are too large. */
function plainDetails(details: unknown): Record<string, unknown> | undefined {
  if (!isRecord(details)) return undefined;
  try {
    const json = JSON.stringify(details);
    return json !== undefined && json.length <= PROTOCOL_LIMITS.errorDetails
      ? (JSON.parse(json) as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined; // cycles, BigInts, too deep
  }
}

export function readLog(raw: Record<string, unknown>): { level: LogLevel; message: string } | Violation {
  const level = raw.level;
  if (typeof level !== 'string' || !(LOG_LEVELS as readonly string[]).includes(level))
    return protocol(`a "log" message needs a level of ${LOG_LEVELS.join(', ')} (got ${brief(level)})`);
  if (typeof raw.message !== 'string')
    return protocol(`a "log" message needs a string message (got ${brief(raw.message)})`);
  const message =
    raw.message.length > PROTOCOL_LIMITS.logMessage
      ? `${raw.message.slice(0, PROTOCOL_LIMITS.logMessage)}… (${raw.message.length - PROTOCOL_LIMITS.logMessage} more characters)`
      : raw.message;
  return { level: level as LogLevel, message };
}

/** A `host-call`; `args` is its arguments as sent (or as read from its serialized form). */
export function readHostCall(raw: Record<string, unknown>, args: unknown): HostCallMessage | Violation {
  const { id, token, method } = raw;
  if (!isId(id)) return protocol(`a "host-call" message needs a positive integer id (got ${brief(id)})`);
  if (!isName(token) || !isName(method))
    return protocol(
      `a "host-call" message needs a token and a method name of 1 to ${PROTOCOL_LIMITS.name} characters (got ${brief(token)}, ${brief(method)})`,
    );
  if (!Array.isArray(args) || args.length > PROTOCOL_LIMITS.hostCallArgs)
    return protocol(
      `a "host-call" message needs a list of at most ${PROTOCOL_LIMITS.hostCallArgs} arguments (got ${brief(args)})`,
    );
  return { id, token, method, args };
}

export function readMemory(raw: Record<string, unknown>): MemoryReport | Violation {
  const { heap, external, rss } = raw;
  const bytes = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;
  if (!bytes(heap) || !bytes(external) || !bytes(rss))
    return protocol('a "memory" message needs heap, external and rss as numbers of bytes');
  return { heap, external, rss };
}
