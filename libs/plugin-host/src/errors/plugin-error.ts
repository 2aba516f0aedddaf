import { PluginErrorCode } from './plugin-error-code.js';

export interface PluginErrorOptions {
  /** The plugin the error is about, when there is one. */
  plugin?: string;
  /** The lifecycle phase it happened in (`load`, `configure`, `initialize`, `healthCheck`, `cleanup`). */
  phase?: string;
  /** The underlying error, if this one wraps it. */
  cause?: unknown;
  /** Structured facts for tooling (e.g. the failing config properties). */
  details?: Record<string, unknown>;
}

/** Marks a `PluginError` from any copy of the library (a registry symbol: the same in every copy). */
const BRAND = Symbol.for('nestjs-plugin-host.PluginError');

/**
 * The one error type the library throws. `code` is stable; `message` names the
 * plugin, the field or file, and what to do about it.
 *
 * @example
 * try { plugins.get('pyod') } catch (e) {
 *   if (e instanceof PluginError && e.code === 'PLUGIN_DISABLED') ...
 * }
 */
export class PluginError extends Error {
  /**
   * `instanceof PluginError` holds for an error from either build of the library (ES module and CommonJS), which
   * one process may load both of: a CommonJS plugin in an ES-module host, say. Subclasses keep plain `instanceof`.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== PluginError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  override readonly name = 'PluginError';
  readonly code: PluginErrorCode;
  readonly plugin?: string;
  readonly phase?: string;
  readonly details?: Record<string, unknown>;

  constructor(code: PluginErrorCode, message: string, options: PluginErrorOptions = {}) {
    super(`${code}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.plugin = options.plugin;
    this.phase = options.phase;
    this.details = options.details;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** Turns anything a plugin threw into readable text. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/** A value as it reads in a message: JSON where it can be (never throws: BigInts, cycles, symbols), cut to 200 characters. */
export function describeValue(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? `${inner}n` : inner));
  } catch {
    text = undefined;
  }
  text ??=
    typeof value === 'symbol'
      ? value.toString()
      : typeof value === 'function'
        ? `function ${value.name}`
        : Object.prototype.toString.call(value);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
