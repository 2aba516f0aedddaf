import type { LoggerService } from '@nestjs/common';

/** Where a plugin runs. */
export type IsolationTier = 'in-process' | 'worker' | 'process';
export const ISOLATION_TIERS: readonly IsolationTier[] = ['in-process', 'worker', 'process'];

/** How the host runs one isolated plugin (module option `isolation`, by plugin name or wildcard). */
export interface IsolationRule {
  tier: IsolationTier;
  /** Heap cap, MB (worker `resourceLimits`, process `--max-old-space-size`). Default 128. */
  heapMb?: number;
  /** Each method call's timeout, ms; past it the isolate is killed as hung. Default 30 000. */
  callTimeoutMs?: number;
  /** `process` tier: more folders or files the plugin may read. */
  allowRead?: string[];
  /** `process` tier: folders or files the plugin may write. Default none. */
  allowWrite?: string[];
}

/** The resolved rule for one plugin, plus what the runtime needs. */
export interface IsolationSettings extends Required<Omit<IsolationRule, 'tier'>> {
  tier: Exclude<IsolationTier, 'in-process'>;
  /** The node_modules folders the plugin's imports resolve from (readable in the `process` tier). */
  moduleDirs: string[];
  logger: LoggerService;
}

export const ISOLATION_DEFAULTS = { heapMb: 128, callTimeoutMs: 30_000 } as const;

/** How many crashes within what window quarantine an isolated plugin. */
export interface CrashBudget {
  crashes: number;
  windowMs: number;
}

export const DEFAULT_CRASH_BUDGET: CrashBudget = { crashes: 3, windowMs: 5 * 60_000 };
