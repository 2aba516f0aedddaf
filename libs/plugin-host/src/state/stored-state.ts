import { Logger } from '@nestjs/common';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import { desiredStateProblem } from './desired-state.js';
import type {
  PluginStateStore,
  StoredPluginState,
  VersionedPluginState,
} from '../contracts/plugin-state-store.interface.js';

/** A replica's way to its store: every call is bounded by the store's timeout. */
export interface StoreAccess {
  store: PluginStateStore;
  replica: string;
  timeoutMs: number;
}

/**
 * `work()`, or `PLUGIN_STATE_UNAVAILABLE` once it has failed or taken longer than the store's timeout (it is never
 * waited for past that: an operation does not hang on a store that is down).
 */
export async function timed<T>(
  boot: Pick<StoreAccess, 'timeoutMs'>,
  work: () => Promise<T>,
  doing: string,
  plugin?: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${boot.timeoutMs} ms`)), boot.timeoutMs);
      }),
    ]);
  } catch (error) {
    throw new PluginError(
      PluginErrorCode.STATE_UNAVAILABLE,
      `the plugin state store failed ${doing}${plugin ? ` for "${plugin}"` : ''}: ${(error as Error)?.message ?? String(error)}. The replicas keep their current state; retry once the store is back (its status is in /health).`,
      { ...(plugin !== undefined && { plugin }), cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
}

/** The stored state, with each entry that is not a desired state left out (and named in a warning). */
export async function readState(boot: Pick<StoreAccess, 'store' | 'timeoutMs'>): Promise<StoredPluginState> {
  const stored = await timed(boot, () => boot.store.read(), 'reading the stored plugin state');
  const version = stored?.version;
  if (!Number.isSafeInteger(version) || version < 0)
    throw new PluginError(
      PluginErrorCode.STATE_UNAVAILABLE,
      `the plugin state store answered a state without a version (${JSON.stringify(version)}); check what wrote to it.`,
    );
  const entries = Object.entries(stored.plugins ?? {}).filter(([name, desired]) => {
    const problem = desiredStateProblem(desired);
    if (problem) new Logger('PluginHost').warn(`the stored state of plugin "${name}" ${problem}; it is ignored.`);
    return !problem;
  });
  return { version, plugins: Object.fromEntries(entries) };
}

/**
 * The stored state, for a replica that has applied every change up to `applied`. A store whose version is lower lost
 * its data (a Redis without persistence restarted): the replica seeds it with its own state first. Several replicas
 * may try at once; the store keeps the highest version.
 */
export async function readOrReseed(
  boot: StoreAccess,
  applied: number,
  entries: ReadonlyMap<string, VersionedPluginState>,
): Promise<StoredPluginState> {
  const stored = await readState(boot);
  if (stored.version >= applied) return stored;
  const mine = { version: applied, plugins: Object.fromEntries(entries) };
  if (await timed(boot, () => boot.store.seed(mine), 're-seeding the stored plugin state'))
    new Logger('PluginHost').warn(
      `the plugin state store had lost its state; replica "${boot.replica}" re-seeded it (version ${applied}).`,
    );
  return readState(boot);
}
