import type { PluginTimings } from '../registry/index.js';

/** Milliseconds to two decimals: enough to read, short to print. */
export function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** The startup phases that ran (load, configure, requirements, initialize) and their sum, as the log line and the report show them. */
export function startupPhases(timings: PluginTimings): { phases: PluginTimings; totalMs: number } {
  const { load, configure, requirements, initialize } = timings;
  const phases = Object.fromEntries(
    Object.entries({ load, configure, requirements, initialize }).filter(([, ms]) => ms !== undefined),
  ) as PluginTimings;
  return { phases, totalMs: roundMs((load ?? 0) + (configure ?? 0) + (requirements ?? 0) + (initialize ?? 0)) };
}
