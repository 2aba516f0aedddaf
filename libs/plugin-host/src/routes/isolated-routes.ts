import { Buffer } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import type { IsolationSupervisor } from '../isolation/index.js';
import type { IsolatedPlugin } from '../isolation/isolated-plugin.js';
import { forwardRequest } from '../isolation/route-requests.js';
import type { PendingCalls, PluginRecord } from '../registry/index.js';
import { errorBody } from './route-paths.js';
import { ServedRequests } from './served-requests.js';

/** Headers that describe one connection or the body's framing, not the message: never forwarded either way. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'upgrade',
  'proxy-connection',
  'te',
  'trailer',
]);

/**
 * The user's credentials: an isolated plugin is one the host does not trust, so it never gets the caller's session or
 * token (it could replay them against the host), nor sets cookies on the host's origin.
 */
const CREDENTIALS = new Set(['cookie', 'authorization', 'proxy-authorization']);
const SET_CREDENTIALS = new Set(['set-cookie']);

type HostRequest = IncomingMessage & { body?: unknown; _body?: boolean; originalUrl?: string };

/**
 * The routes of module plugins that run in a worker or a process: each request under the plugin's prefix is sent
 * to its isolate (method, URL, headers, body up to `maxRequestBytes`, else 413) and the isolate's answer relayed
 * (status, headers, body). A timeout is 504 `PLUGIN_TIMEOUT`, a crash mid-request 503 `PLUGIN_CRASHED`. The caller's
 * credentials (cookies, Authorization) are not forwarded, and the plugin's `Set-Cookie` is not relayed.
 */
export class IsolatedRoutes {
  private readonly served = new Map<string, ServedRequests>();

  constructor(
    private readonly supervisor: IsolationSupervisor,
    private readonly cleanupMs: number,
  ) {}

  async serve(record: PluginRecord, req: unknown, res: unknown, unavailable: () => PluginError): Promise<void> {
    const isolate = this.supervisor.isolateOf(record.name);
    if (!isolate) return errorBody(res, unavailable());
    const served = this.served.get(record.name) ?? new ServedRequests();
    this.served.set(record.name, served);
    served.track(res);
    const request = req as HostRequest;
    const response = res as ServerResponse;
    const body = await bodyOf(request, isolate.limits.maxRequestBytes);
    if (body === TOO_LARGE) {
      response.setHeader('connection', 'close');
      return errorBody(
        res,
        new PluginError(
          PluginErrorCode.RESOURCE_LIMIT,
          `plugin "${record.name}": the request body is over ${isolate.limits.maxRequestBytes} bytes, the most its ${isolate.limits.tier} takes (isolation maxRequestBytes). Send less, or raise the limit.`,
          { plugin: record.name },
        ),
        413,
      );
    }
    const answer = await forwardRequest(isolate, {
      method: request.method ?? 'GET',
      url: request.url ?? '/',
      headers: forwardedHeaders(request),
      ...(body && { body }),
    });
    if (response.headersSent) return;
    response.statusCode = answer.status;
    for (const [name, value] of Object.entries(answer.headers)) {
      const lower = name.toLowerCase();
      if (HOP_BY_HOP.has(lower) || SET_CREDENTIALS.has(lower)) continue;
      try {
        response.setHeader(name, value);
      } catch {
        // a header Node refuses (invalid characters) is left out, not allowed to fail the response
      }
    }
    response.end(Buffer.from(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength));
  }

  /** The plugin stops: what its isolate is serving now (its cleanup waits for it, at most the cleanup timeout). */
  inFlight(record: PluginRecord): PendingCalls | undefined {
    const served = this.served.get(record.name);
    return served && { size: 1, idle: () => served.idle(this.cleanupMs) };
  }

  /** The isolate serving the plugin now, if it is alive. */
  isolateOf(name: string): IsolatedPlugin | undefined {
    return this.supervisor.isolateOf(name);
  }
}

const TOO_LARGE = Symbol('too large');

/**
 * The request's body as bytes: what the host's body parser made of it (JSON, form) encoded again, or the raw stream
 * read up to `limit` bytes; `TOO_LARGE` past it.
 */
async function bodyOf(request: HostRequest, limit: number): Promise<Uint8Array | undefined | typeof TOO_LARGE> {
  let bytes: Buffer | undefined;
  if (request._body || request.readableEnded) {
    const { body } = request;
    const type = String(request.headers['content-type'] ?? '');
    if (Buffer.isBuffer(body)) bytes = body;
    else if (typeof body === 'string') bytes = Buffer.from(body);
    else if (body !== undefined && type.includes('application/x-www-form-urlencoded'))
      bytes = Buffer.from(new URLSearchParams(body as Record<string, string>).toString());
    else if (body !== undefined) bytes = Buffer.from(JSON.stringify(body));
  } else {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) return TOO_LARGE;
      chunks.push(chunk);
    }
    bytes = chunks.length ? Buffer.concat(chunks) : undefined;
  }
  if (bytes && bytes.length > limit) return TOO_LARGE;
  return bytes && new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function forwardedHeaders(request: HostRequest): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(request.headers))
    if (value !== undefined && !HOP_BY_HOP.has(name) && !CREDENTIALS.has(name)) headers[name] = value;
  return headers;
}
