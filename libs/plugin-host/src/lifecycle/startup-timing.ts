import type { PluginTimings } from '../registry/index.js';

/** Milliseconds to two decimals: enough to read, short to print. */
export function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** The startup phases that ran (load, configure, initialize) and their sum, as the log line and the report show them. */
export function startupPhases(timings: PluginTimings): { phases: PluginTimings; totalMs: number } {
  const { load, configure, initialize } = timings;
  const phases = Object.fromEntries(Object.entries({ load, configure, initialize }).filter(([, ms]) => ms !== undefined)) as PluginTimings;
  return { phases, totalMs: roundMs((load ?? 0) + (configure ?? 0) + (initialize ?? 0)) };
}
