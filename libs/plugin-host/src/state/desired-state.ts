import { isDeepStrictEqual } from 'node:util';
import { mergeConfigPatch } from '../config/index.js';
import { jsonShapeProblem } from '../toolkit/json-shape.js';
import type { OperationEffects, RuntimeOperations } from '../lifecycle/index.js';
import { PluginState, type PluginRecord } from '../registry/index.js';
import type {
  DesiredPluginState,
  PluginStateChange,
  StoredPluginState,
  VersionedPluginState,
} from '../contracts/plugin-state-store.interface.js';

/** The operations that change a plugin's desired state. */
export type StateOperation = 'enable' | 'disable' | 'reload' | 'updateConfig';

/** The plugin's desired state after `operation` (a reload is an enable with new code, as on one replica). */
export function nextDesired(
  operation: StateOperation,
  current: DesiredPluginState | undefined,
  record: PluginRecord,
  patch?: Record<string, unknown>,
): DesiredPluginState {
  const base: DesiredPluginState = {
    ...(current?.enabled !== undefined && { enabled: current.enabled }),
    ...(current?.config !== undefined && { config: current.config }),
    ...(current?.generation !== undefined && { generation: current.generation }),
  };
  switch (operation) {
    case 'enable':
      return { ...base, enabled: true };
    case 'disable':
      return { ...base, enabled: false };
    case 'reload':
      return { ...base, enabled: true, generation: (current?.generation ?? 0) + 1 };
    case 'updateConfig':
      return { ...base, config: mergeConfigPatch(current?.config ?? record.configUpdates, patch ?? {}) };
  }
}

/** What each replica does with a plugin's desired state: the steps its own state differs in, in this order. */
export async function applyDesired(
  operations: RuntimeOperations,
  record: PluginRecord,
  desired: DesiredPluginState,
  previous: DesiredPluginState | undefined,
): Promise<OperationEffects | undefined> {
  const name = record.name;
  let effects: OperationEffects | undefined;
  let failure: unknown;
  const step = async (work: () => Promise<OperationEffects | void>): Promise<void> => {
    try {
      effects = (await work()) ?? effects;
    } catch (error) {
      failure ??= error;
    }
  };
  if (!isDeepStrictEqual(desired.config ?? {}, record.configUpdates ?? {}))
    await step(() => operations.setConfigUpdates(name, desired.config ?? {}));
  if ((desired.generation ?? 0) > (previous?.generation ?? 0)) await step(() => operations.reload(name));
  if (desired.enabled === true && record.state !== PluginState.ENABLED) await step(() => operations.enable(name));
  if (desired.enabled === false && isRunning(record)) await step(() => operations.disable(name));
  if (failure !== undefined) throw failure;
  return effects;
}

/** Enabled, or lazy and not loaded yet (a disable keeps it from loading). */
function isRunning(record: PluginRecord): boolean {
  return record.state === PluginState.ENABLED || (record.lazy && record.state === PluginState.DISCOVERED);
}

/**
 * The `disabled` option with the stored state over it: a plugin stored enabled starts though the host's options
 * disable it, one stored disabled does not start.
 */
export function storedDisabled(disabled: ReadonlySet<string>, stored: StoredPluginState | undefined): Set<string> {
  const result = new Set(disabled);
  for (const [name, desired] of Object.entries(stored?.plugins ?? {})) {
    if (desired.enabled === true) result.delete(name.toLowerCase());
    if (desired.enabled === false) result.add(name.toLowerCase());
  }
  return result;
}

/** The stored entries newer than what this replica applied, oldest change first. */
export function newerEntries(
  stored: StoredPluginState,
  applied: ReadonlyMap<string, VersionedPluginState>,
): [string, VersionedPluginState][] {
  return Object.entries(stored.plugins)
    .filter(([name, desired]) => desired.version > (applied.get(name)?.version ?? 0))
    .sort(([, a], [, b]) => a.version - b.version);
}

/**
 * Why `value` is not a plugin's desired state, or `undefined` when it is one. The store holds what anyone with access
 * to it wrote, so each entry is checked before a replica applies it: a config that is not a plain object of config
 * keys (or has a prototype key) never reaches a plugin.
 */
export function desiredStateProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'is not an object';
  const { version, enabled, config, generation } = value as Record<string, unknown>;
  if (!Number.isSafeInteger(version) || (version as number) < 1) return 'has no positive integer "version"';
  if (enabled !== undefined && typeof enabled !== 'boolean') return '"enabled" is not a boolean';
  if (generation !== undefined && (!Number.isSafeInteger(generation) || (generation as number) < 0))
    return '"generation" is not a non-negative integer';
  if (config === undefined) return undefined;
  if (config === null || typeof config !== 'object' || Array.isArray(config)) return '"config" is not an object';
  const problem = jsonShapeProblem(config);
  return problem && `"config" ${problem}`;
}

/** Why a delivered change cannot be applied (its desired state is not one, or is not the change's), or `undefined`. */
export function changeProblem(change: PluginStateChange): string | undefined {
  if (typeof change?.plugin !== 'string') return 'names no plugin';
  return change.desired?.version === change.version ? desiredStateProblem(change.desired) : 'is torn';
}
