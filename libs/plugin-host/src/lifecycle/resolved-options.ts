import type { InjectionToken } from '@nestjs/common';
import {
  DEFAULT_CRASH_BUDGET,
  ISOLATION_TIERS,
  isolationRuleProblems,
  type CrashBudget,
  type IsolationRule,
  type IsolationTier,
} from '../isolation/isolation-settings.js';
import type { TrustPolicy } from '../trust/trust-policy.js';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import { isValidTimeout, type PluginTimeouts } from '../manifest/index.js';
import { semver } from '../manifest/semver.js';
import { DEFAULT_TIMEOUTS } from '../plugin.constants.js';
import type { PluginModuleOptions } from '../plugin-module-options.interface.js';
import { LIBRARY_VERSION } from '../version.js';

/** The module options, checked, with every default filled in. */
export interface ResolvedPluginOptions {
  hostVersion: string;
  config: Record<string, unknown>;
  disabled: ReadonlySet<string>;
  required: ReadonlySet<string>;
  acceptIncompatible: ReadonlySet<string>;
  timeouts: PluginTimeouts;
  pluginTimeouts: Record<string, Partial<PluginTimeouts>>;
  env: Record<string, string | undefined>;
  /** Hook names the host calls; undefined when it declared none. */
  hooks?: ReadonlySet<string>;
  isolation: Record<string, IsolationTier | IsolationRule>;
  crashBudget: CrashBudget;
  trust?: TrustPolicy;
  expose: InjectionToken[];
  guardProcess: boolean;
  healthCacheMs: number;
  healthDetails: 'all' | 'problems';
}

/** @throws PluginError `PLUGIN_OPTIONS_INVALID` naming every bad option */
export function resolveOptions(options: PluginModuleOptions | undefined): ResolvedPluginOptions {
  const given = options ?? {};
  const problems: string[] = [];
  const hostVersion = given.hostVersion ?? LIBRARY_VERSION;
  if (semver().valid(hostVersion) === null)
    problems.push(`hostVersion ${JSON.stringify(hostVersion)} must be a semver version such as "1.0.0"`);
  const names = (key: 'disabled' | 'required' | 'acceptIncompatible'): Set<string> => {
    const list = given[key] ?? [];
    if (!Array.isArray(list) || list.some((name) => typeof name !== 'string')) {
      problems.push(`${key} must be an array of plugin names`);
      return new Set();
    }
    return new Set(list.map((name) => name.trim().toLowerCase()).filter(Boolean)); // compared ignoring case (hasName)
  };
  const checkTimeouts = (timeouts: Partial<PluginTimeouts> | undefined, label: string): void => {
    for (const [phase, ms] of Object.entries(timeouts ?? {})) {
      if (!(phase in DEFAULT_TIMEOUTS))
        problems.push(`${label}.${phase} is not a phase (use ${Object.keys(DEFAULT_TIMEOUTS).join(', ')})`);
      else if (!isValidTimeout(ms))
        problems.push(`${label}.${phase} must be a positive number of milliseconds (Infinity: no timeout)`);
    }
  };
  checkTimeouts(given.timeouts, 'timeouts');
  for (const [name, timeouts] of Object.entries(given.pluginTimeouts ?? {}))
    checkTimeouts(timeouts, `pluginTimeouts["${name}"]`);
  if (given.config !== undefined && (given.config === null || typeof given.config !== 'object')) {
    problems.push('config must be an object of plugin name to config object');
  }
  const resolved: ResolvedPluginOptions = {
    hostVersion,
    config: given.config ?? {},
    disabled: names('disabled'),
    required: names('required'),
    acceptIncompatible: names('acceptIncompatible'),
    timeouts: { ...DEFAULT_TIMEOUTS, ...given.timeouts },
    pluginTimeouts: given.pluginTimeouts ?? {},
    env: given.env ?? process.env,
    hooks: given.hooks === undefined ? undefined : new Set(Array.isArray(given.hooks) ? given.hooks : []),
    isolation: given.isolation ?? {},
    crashBudget: { ...DEFAULT_CRASH_BUDGET, ...given.crashBudget },
    trust: given.trust,
    expose: given.expose ?? [],
    guardProcess: given.guardProcess ?? true,
    healthCacheMs: given.healthCacheMs ?? 1000,
    healthDetails: given.healthDetails ?? 'all',
  };
  if (given.healthDetails !== undefined && given.healthDetails !== 'all' && given.healthDetails !== 'problems') {
    problems.push('healthDetails must be "all" or "problems"');
  }
  if (given.healthCacheMs !== undefined && !(typeof given.healthCacheMs === 'number' && given.healthCacheMs >= 0)) {
    problems.push('healthCacheMs must be a number of milliseconds ≥ 0 (0: check on every request)');
  }
  const isolationKeys = Object.keys(given.isolation ?? {}).map((key) => key.toLowerCase());
  if (new Set(isolationKeys).size !== isolationKeys.length)
    problems.push('isolation has keys that differ only in case (names match ignoring case)');
  for (const [pattern, rule] of Object.entries(given.isolation ?? {})) {
    const tier = typeof rule === 'string' ? rule : rule?.tier;
    if (!ISOLATION_TIERS.includes(tier))
      problems.push(`isolation["${pattern}"] must be one of ${ISOLATION_TIERS.join(', ')} (or { tier, heapMb, ... })`);
    else if (typeof rule === 'object') problems.push(...isolationRuleProblems(pattern, rule));
  }
  for (const key of ['allow', 'deny'] as const) {
    const list = given.trust?.[key];
    if (list !== undefined && (!Array.isArray(list) || list.some((p) => typeof p !== 'string')))
      problems.push(`trust.${key} must be an array of names or wildcards`);
  }
  for (const [name, digest] of Object.entries(given.trust?.integrity ?? {})) {
    if (typeof digest !== 'string' || !digest.startsWith('sha512-'))
      problems.push(
        `trust.integrity["${name}"] must be a "sha512-..." digest (npx nest-plugin-integrity <folder> prints it)`,
      );
  }
  if (
    given.hooks !== undefined &&
    (!Array.isArray(given.hooks) || given.hooks.some((hook) => typeof hook !== 'string'))
  ) {
    problems.push('hooks must be an array of hook names such as "detection.completed"');
  }
  if (problems.length > 0) {
    throw new PluginError(
      PluginErrorCode.OPTIONS_INVALID,
      `PluginModule options are invalid: ${problems.join('; ')}.`,
      { details: { problems } },
    );
  }
  return resolved;
}
