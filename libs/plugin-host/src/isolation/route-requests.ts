import { PluginError, PluginErrorCode } from '../errors/index.js';
import { failureError } from './isolate-messages.js';
import type { IsolatedPlugin } from './isolated-plugin.js';
import { Violation, brief, isRecord, protocol } from './isolation-protocol.js';
import { ABORT_GRACE_MS } from './pending-requests.js';

/** A request to an isolated module plugin's routes, as it crosses to the isolate (the URL relative to its prefix). */
export interface RouteRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[]>;
  body?: Uint8Array;
}

/** The isolate's response, checked. */
export interface RouteAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Uint8Array;
}

const MAX_HEADERS = 200;

/**
 * Serves one request in the isolate. Past the isolate's `callTimeoutMs` the request is answered `PLUGIN_TIMEOUT` and
 * the isolate told to give up; one that keeps running past the grace period is killed as hung, like a method call
 * (its crash budget counts it). An answer outside the protocol stops the isolate with `PLUGIN_PROTOCOL_ERROR`.
 */
export async function forwardRequest(isolate: IsolatedPlugin, request: RouteRequest): Promise<RouteAnswer> {
  const what = `route ${request.method} ${request.url.slice(0, 200)}`;
  const limit = isolate.limits.callTimeoutMs;
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(
        new PluginError(
          PluginErrorCode.TIMEOUT,
          `plugin "${isolate.name}": ${what} did not answer within ${limit} ms (its isolation callTimeoutMs). Its ${isolate.limits.tier} is stopped if it does not give up within ${ABORT_GRACE_MS} ms. Make the route faster, or raise callTimeoutMs.`,
          { plugin: isolate.name },
        ),
      );
    }, limit);
  });
  const answered = isolate.request({ type: 'http', ...request }, what, undefined, abort.signal);
  answered.catch(() => undefined); // a late failure after the timeout answered is the crash's to report
  try {
    const answer = readAnswer(await Promise.race([answered, late]));
    if (answer instanceof Violation) {
      isolate.crash(`its answer to ${what}: ${answer.problem}`, PluginErrorCode.PROTOCOL_ERROR);
      throw failureError(isolate.name, isolate.limits.tier, answer.problem, PluginErrorCode.PROTOCOL_ERROR);
    }
    return answer;
  } finally {
    clearTimeout(timer);
  }
}

function readAnswer(value: unknown): RouteAnswer | Violation {
  if (!isRecord(value)) return protocol(`a route's answer must be an object (got ${brief(value)})`);
  const { status, headers, body } = value;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599)
    return protocol(`a route's status must be an HTTP status code (got ${brief(status)})`);
  if (!(body instanceof Uint8Array)) return protocol(`a route's body must be bytes (got ${brief(body)})`);
  if (!isRecord(headers)) return protocol(`a route's headers must be an object (got ${brief(headers)})`);
  const entries = Object.entries(headers);
  if (entries.length > MAX_HEADERS)
    return protocol(`a route's answer has ${entries.length} headers (at most ${MAX_HEADERS})`);
  for (const [name, header] of entries)
    if (typeof header !== 'string' && !(Array.isArray(header) && header.every((each) => typeof each === 'string')))
      return protocol(`a route's header "${name.slice(0, 60)}" must be a string or strings (got ${brief(header)})`);
  return { status, headers: headers as RouteAnswer['headers'], body };
}
