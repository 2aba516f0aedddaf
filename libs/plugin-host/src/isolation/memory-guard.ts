import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { IsolationSettings } from './isolation-settings.js';
import type { MemoryReport } from './isolation-protocol.js';

/** How often an isolate's memory is sampled (process tier, by the host) or reported (worker tier, by the runtime), ms. */
const MEMORY_SAMPLE_MS = 100;
/** A worker silent this long has a blocked event loop: it can no longer report, so the process-wide check applies. */
const SILENT_WORKER_MS = 1000;
/** What the host process itself may use beyond its V8 heap and buffers (code, stacks, allocator slack), MB. */
const HOST_SLACK_MB = 256;
const MB = 2 ** 20;

let procReadable: boolean | undefined;

/** Whether the host can read a child's resident memory itself (Linux /proc): a figure the plugin cannot forge. */
export function hostSamplesProcesses(): boolean {
  // Computed on first use, not at import: this module is also imported inside isolates, where fs may be off limits.
  if (procReadable === undefined) {
    try {
      procReadable = process.platform === 'linux' && existsSync('/proc/self/status');
    } catch {
      procReadable = false;
    }
  }
  return procReadable;
}

/** The workers being watched (the process-wide check adds up their caps). */
const workers = new Set<MemoryGuard>();

/** A child's resident memory from /proc, MB; undefined once it is gone. */
function residentMb(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

const mb = (bytes: number): string => `${Math.round(bytes / MB)} MB`;

/**
 * Bounds one isolate's total memory (heap, off-heap buffers, native), which `heapMb` alone does not: above
 * `memoryMb` it calls `onOver` once (the isolate is then killed with `PLUGIN_RESOURCE_LIMIT`).
 *
 * - `process` tier on Linux: the host samples the child's RSS from /proc every 100 ms; elsewhere the child
 *   reports its own RSS (a hostile plugin could lie).
 * - `worker` tier: the runtime reports the worker's own heap and off-heap figures every 100 ms. A worker whose
 *   event loop is blocked cannot report; once silent for a second, it is killed if the process's RSS goes over
 *   what the host and all its workers may use together (their heap and buffers plus every worker's cap plus
 *   256 MB). That backstop is coarse: the worker tier is for trusted code.
 */
export class MemoryGuard {
  private timer?: NodeJS.Timeout;
  private lastReport = performance.now();
  private over = false;

  constructor(
    readonly settings: Pick<IsolationSettings, 'memoryMb' | 'tier'>,
    private readonly onOver: (reason: string) => void,
  ) {}

  /** Samples a child process from the host (Linux), every 100 ms until `stop`. */
  watchProcess(pid: number): void {
    this.every(() => {
      const rss = residentMb(pid);
      if (rss !== undefined && rss > this.settings.memoryMb)
        this.trip(
          `its process used ${Math.round(rss)} MB (resident), over its memoryMb cap of ${this.settings.memoryMb} MB`,
        );
    });
  }

  /** Waits for a worker's reports; checks the whole process when they stop. */
  watchWorker(): void {
    workers.add(this);
    this.every(() => {
      const silentMs = performance.now() - this.lastReport;
      if (silentMs < SILENT_WORKER_MS) return;
      const rss = process.memoryUsage.rss();
      const budget = allowedProcessBytes();
      if (rss > budget)
        this.trip(
          `its worker stopped reporting its memory ${Math.round(silentMs)} ms ago (a blocked event loop) while this process's memory went to ${mb(rss)}, over what the host and its workers may use (${mb(budget)})`,
        );
    });
  }

  /** A report from the isolate's runtime. */
  report(report: MemoryReport): void {
    this.lastReport = performance.now();
    const cap = this.settings.memoryMb * MB;
    if (this.settings.tier === 'worker') {
      if (report.heap + report.external > cap)
        this.trip(
          `its worker used ${mb(report.heap + report.external)} (heap ${mb(report.heap)}, off-heap ${mb(report.external)}), over its memoryMb cap of ${this.settings.memoryMb} MB`,
        );
    } else if (!hostSamplesProcesses() && report.rss > cap) {
      this.trip(
        `its process reported ${mb(report.rss)} resident, over its memoryMb cap of ${this.settings.memoryMb} MB`,
      );
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    workers.delete(this);
  }

  private every(sample: () => void): void {
    this.timer = setInterval(sample, MEMORY_SAMPLE_MS);
    this.timer.unref();
  }

  private trip(reason: string): void {
    if (this.over) return;
    this.over = true;
    this.stop();
    this.onOver(reason);
  }
}

/** The host's own heap and buffers, every worker's cap, and slack for code and stacks, bytes. */
function allowedProcessBytes(): number {
  const own = process.memoryUsage();
  let caps = 0;
  for (const guard of workers) caps += guard.settings.memoryMb;
  return own.heapTotal + own.external + (caps + HOST_SLACK_MB) * MB;
}
