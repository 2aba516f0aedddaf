import type { LoggerService } from '@nestjs/common';

import { ISOLATION_TIERS, type IsolationTier } from '../manifest/plugin-metadata.interface.js';

export { ISOLATION_TIERS, type IsolationTier };

/** How the host runs one isolated plugin (module option `isolation`, by plugin name or wildcard). */
export interface IsolationRule {
  tier: IsolationTier;
  /** Heap cap, MB (worker `resourceLimits`, process `--max-old-space-size`). Default 128. */
  heapMb?: number;
  /**
   * Total memory cap, MB: heap plus off-heap (Buffers, ArrayBuffers, native). Sampled every 100 ms; above it the
   * isolate is killed (`PLUGIN_RESOURCE_LIMIT`) and restarted. Default `2 × heapMb + 128`.
   */
  memoryMb?: number;
  /** Largest result or message an isolate may send, bytes; a bigger result fails its call (`PLUGIN_RESOURCE_LIMIT`). Default 16 MB. */
  maxMessageBytes?: number;
  /** Each method call's timeout, ms; past it the isolate is killed as hung. Default 30 000. Also each route request's (504). */
  callTimeoutMs?: number;
  /** A module plugin's routes: the largest request body forwarded to the isolate, bytes; above it 413. Default 1 MB. */
  maxRequestBytes?: number;
  /** `process` tier: more folders or files the plugin may read. */
  allowRead?: string[];
  /** `process` tier: folders or files the plugin may write. Default none. */
  allowWrite?: string[];
  /** `process` tier: run the process as this user id (the host needs the privilege to switch: root or CAP_SETUID; POSIX only). */
  uid?: number;
  /** `process` tier: run the process as this group id (root or CAP_SETGID; POSIX only). */
  gid?: number;
}

/** The resolved rule for one plugin, plus what the runtime needs. */
export interface IsolationSettings extends Required<Omit<IsolationRule, 'tier' | 'uid' | 'gid'>> {
  tier: Exclude<IsolationTier, 'in-process'>;
  uid?: number;
  gid?: number;
  /** How long the isolate may take to load (its module and constructor): the plugin's `initialize` timeout, ms. */
  loadTimeoutMs: number;
  /** The node_modules folders the plugin's imports resolve from (readable in the `process` tier). */
  moduleDirs: string[];
  logger: LoggerService;
}

export const ISOLATION_DEFAULTS = {
  heapMb: 128,
  callTimeoutMs: 30_000,
  maxMessageBytes: 16 * 2 ** 20,
  maxRequestBytes: 2 ** 20,
} as const;

/** The default total-memory cap for a heap cap: room for the heap, its young generation, code and off-heap buffers. */
export function defaultMemoryMb(heapMb: number): number {
  return 2 * heapMb + 128;
}

/** What is wrong with one `isolation` rule (empty when nothing is). */
export function isolationRuleProblems(pattern: string, rule: IsolationRule): string[] {
  const problems: string[] = [];
  const positive = (key: 'heapMb' | 'memoryMb' | 'maxMessageBytes' | 'callTimeoutMs' | 'maxRequestBytes'): void => {
    const value = rule[key];
    if (value !== undefined && !(typeof value === 'number' && value > 0 && !Number.isNaN(value)))
      problems.push(`isolation["${pattern}"].${key} must be a positive number`);
  };
  positive('heapMb');
  positive('memoryMb');
  positive('maxMessageBytes');
  positive('callTimeoutMs');
  positive('maxRequestBytes');
  if (rule.maxMessageBytes !== undefined && rule.maxMessageBytes > 2 ** 31)
    problems.push(`isolation["${pattern}"].maxMessageBytes must be at most 2 GiB (${2 ** 31})`);
  for (const key of ['uid', 'gid'] as const) {
    const value = rule[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 0)
      problems.push(`isolation["${pattern}"].${key} must be a user or group id (an integer ≥ 0)`);
    else if (rule.tier !== 'process') problems.push(`isolation["${pattern}"].${key} applies to the process tier only`);
  }
  for (const key of ['allowRead', 'allowWrite'] as const) {
    const list = rule[key];
    if (list !== undefined && (!Array.isArray(list) || list.some((path) => typeof path !== 'string')))
      problems.push(`isolation["${pattern}"].${key} must be an array of paths`);
  }
  return problems;
}

/** How many crashes within what window quarantine an isolated plugin. */
export interface CrashBudget {
  crashes: number;
  windowMs: number;
}

export const DEFAULT_CRASH_BUDGET: CrashBudget = { crashes: 3, windowMs: 5 * 60_000 };
