import { wildcardToRegExp } from '../discovery/name-filter.js';
import type { PluginRecord } from '../registry/index.js';
import { pluginLogger } from '../registry/plugin-logger.js';
import {
  ISOLATION_DEFAULTS,
  defaultMemoryMb,
  type IsolationRule,
  type IsolationSettings,
  type IsolationTier,
} from './isolation-settings.js';
import { nodeModulesAbove } from './module-dirs.js';

/** The host's `isolation` option: a tier or a rule per plugin name or wildcard. */
export type IsolationRules = Record<string, IsolationTier | IsolationRule>;

/** The tier a plugin runs in: the host's rule, else its manifest's, else in-process. */
export function tierOf(rules: IsolationRules, record: Pick<PluginRecord, 'name' | 'metadata'>): IsolationTier {
  const rule = ruleOf(rules, record.name);
  return (typeof rule === 'string' ? rule : rule?.tier) ?? record.metadata.isolation ?? 'in-process';
}

/** The host's rule for a plugin: its exact name, else the first matching wildcard; names match ignoring case, as trust rules do. */
function ruleOf(rules: IsolationRules, name: string): IsolationTier | IsolationRule | undefined {
  const keys = Object.keys(rules);
  const exact = keys.find((key) => !key.includes('*') && key.toLowerCase() === name.toLowerCase());
  const key = exact ?? keys.find((pattern) => pattern.includes('*') && wildcardToRegExp(pattern, true).test(name));
  return key === undefined ? undefined : rules[key];
}

/** What one isolate of the plugin (its package in `packageDir`) gets: the tier, limits and grants of its rule, defaults else. */
export function settingsOf(
  rules: IsolationRules,
  record: PluginRecord,
  packageDir: string,
  loadTimeoutMs: number,
): IsolationSettings {
  const rule = ruleOf(rules, record.name);
  const options: Partial<IsolationRule> = typeof rule === 'object' ? rule : {};
  const tier = record.isolation ?? tierOf(rules, record);
  const heapMb = options.heapMb ?? ISOLATION_DEFAULTS.heapMb;
  return {
    tier: tier === 'in-process' ? 'worker' : tier,
    heapMb,
    memoryMb: options.memoryMb ?? defaultMemoryMb(heapMb),
    maxMessageBytes: options.maxMessageBytes ?? ISOLATION_DEFAULTS.maxMessageBytes,
    callTimeoutMs: options.callTimeoutMs ?? ISOLATION_DEFAULTS.callTimeoutMs,
    maxRequestBytes: options.maxRequestBytes ?? ISOLATION_DEFAULTS.maxRequestBytes,
    allowRead: options.allowRead ?? [],
    allowWrite: options.allowWrite ?? [],
    uid: options.uid,
    gid: options.gid,
    loadTimeoutMs,
    moduleDirs: nodeModulesAbove(packageDir),
    logger: pluginLogger(record.name),
  };
}
