// What comes out of Redis is checked before the host sees it: anyone who can write to the store could write anything.
// Each reader takes the fields it knows, of the types it expects, and answers `undefined` for the rest. (The desired
// state itself is checked by the host, for every store: desiredStateProblem.)
import type { AuditEntry } from '../contracts/audit-entry.interface.js';
import type {
  PluginStateChange,
  PluginStateListener,
  ReplicaInfo,
  VersionedPluginState,
} from '../contracts/plugin-state-store.interface.js';

/** `json` parsed, or `undefined` when it is not JSON. */
export function parsed(json: string | undefined): unknown {
  if (json === undefined) return undefined;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return undefined;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** A stored desired state with its version (what is not an object stays as it is, for the host to refuse). */
export function desiredFrom(value: unknown, version: number): VersionedPluginState {
  return (isObject(value) ? { ...value, version } : value) as VersionedPluginState;
}

/** A `change:` message's payload: `<version>:<JSON of plugin, desired, operation, replica>`. */
export function changeFrom(payload: string): PluginStateChange | undefined {
  const colon = payload.indexOf(':');
  const version = Number(payload.slice(0, colon));
  const body = parsed(payload.slice(colon + 1));
  if (colon < 1 || !Number.isSafeInteger(version) || !isObject(body)) return undefined;
  const { plugin, desired, operation, replica } = body;
  if (typeof plugin !== 'string' || typeof operation !== 'string' || typeof replica !== 'string') return undefined;
  return { version, plugin, operation, replica, desired: desiredFrom(desired, version) };
}

const AUDIT_STRINGS = ['time', 'operation', 'plugin', 'route', 'actor', 'replica', 'id', 'code', 'message'] as const;

export function auditEntryFrom(value: unknown): AuditEntry | undefined {
  if (!isObject(value) || (value.outcome !== 'ok' && value.outcome !== 'error')) return undefined;
  const entry: Record<string, unknown> = { outcome: value.outcome };
  for (const field of AUDIT_STRINGS) if (typeof value[field] === 'string') entry[field] = value[field];
  if (typeof entry.time !== 'string' || typeof entry.operation !== 'string' || typeof entry.plugin !== 'string')
    return undefined;
  return entry as unknown as AuditEntry;
}

export function replicaInfoFrom(value: unknown): ReplicaInfo | undefined {
  if (!isObject(value) || typeof value.replica !== 'string' || typeof value.seen !== 'number') return undefined;
  if (!isObject(value.versions)) return undefined;
  const versions = Object.entries(value.versions).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string',
  );
  return { replica: value.replica, seen: value.seen, versions: Object.fromEntries(versions) };
}

/** Hands one channel message to the listener; one that is not the store's own shape is dropped. */
export function deliver(listener: PluginStateListener, message: string): void {
  const colon = message.indexOf(':');
  const [type, payload] = [message.slice(0, colon), message.slice(colon + 1)];
  if (type === 'change') {
    const change = changeFrom(payload);
    if (change) listener.change(change);
  } else if (type === 'seeded') listener.reseeded(Number(payload));
  else if (type === 'audit') {
    const entry = auditEntryFrom(parsed(payload));
    if (entry) listener.audit(entry);
  } else if (type === 'replica') {
    const info = replicaInfoFrom(parsed(payload));
    if (info) listener.replica(info);
  }
}

/** `[k1, v1, k2, v2]` as `[[k1, v1], [k2, v2]]` (how Redis answers hashes and stream fields). */
export function pairs(flat: string[]): [string, string][] {
  const result: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) result.push([flat[i] as string, flat[i + 1] as string]);
  return result;
}

export function withoutCredentials(url: string): string {
  try {
    const parsedUrl = new URL(url);
    parsedUrl.username = '';
    parsedUrl.password = '';
    return parsedUrl.toString();
  } catch {
    return 'the configured URL';
  }
}
