import { Logger } from '@nestjs/common';
import { hostname } from 'node:os';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import type {
  PluginStateOptions,
  PluginStateStore,
  StoredPluginState,
} from '../contracts/plugin-state-store.interface.js';
import { readState, type StoreAccess } from './stored-state.js';

/** The store, and what it held when the app booted (`undefined`: it could not be read then). */
export interface StateBoot extends StoreAccess {
  stored?: StoredPluginState;
}

const STORE_METHODS = ['subscribe', 'read', 'commit', 'seed', 'appendAudit', 'readAudit', 'announce', 'replicas'];

/**
 * Reads the stored state before any plugin loads, so a replica boots into it. A store that cannot be read within its
 * timeout does not stop the boot: the replica starts from its own options and reconciles once the store answers.
 *
 * @throws PluginError `PLUGIN_OPTIONS_INVALID` when `state.store` is not a store
 */
export async function openState(options: PluginStateOptions): Promise<StateBoot> {
  const store = options?.store as Partial<PluginStateStore> | undefined;
  const missing = STORE_METHODS.filter((method) => typeof (store as Record<string, unknown>)?.[method] !== 'function');
  if (!store || missing.length > 0)
    throw new PluginError(
      PluginErrorCode.OPTIONS_INVALID,
      `state.store must be a PluginStateStore (RedisPluginStateStore from 'nestjs-plugin-host/redis', or your own); it lacks ${missing.join(', ')}.`,
    );
  if (options.replica !== undefined && (typeof options.replica !== 'string' || options.replica.trim() === ''))
    throw new PluginError(PluginErrorCode.OPTIONS_INVALID, 'state.replica must be a non-empty string.');
  const boot: StateBoot = {
    store: store as PluginStateStore,
    replica: options.replica ?? `${hostname()}:${process.pid}`,
    timeoutMs: store.timeoutMs ?? 2000,
  };
  try {
    boot.stored = await readState(boot);
  } catch (error) {
    new Logger('PluginHost').warn(
      `${(error as Error).message} The replica starts from its own options and applies the stored state once the store answers.`,
    );
  }
  return boot;
}
