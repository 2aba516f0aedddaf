// Same-run comparisons: the candidate and its baseline run alternately (after a warm-up of each), so
// machine noise hits both alike. Reports medians, min–max and the ratio of medians.

/** Runs `candidate()` and `baseline()` alternately; each returns one number (lower is better unless told). */
export async function alternate(candidate, baseline, { runs, warmup = 1 }) {
  for (let i = 0; i < warmup; i++) {
    await candidate();
    await baseline();
  }
  const a = [];
  const b = [];
  for (let i = 0; i < runs; i++) {
    // Alternate who goes first, so neither always runs on a warmer machine.
    if (i % 2 === 0) {
      a.push(await candidate());
      b.push(await baseline());
    } else {
      b.push(await baseline());
      a.push(await candidate());
    }
  }
  // `difference`: the median of each run's candidate − baseline (robust to drifts that hit a run's pair alike).
  return {
    candidate: stats(a),
    baseline: stats(b),
    ratio: median(a) / median(b),
    difference: median(a.map((value, i) => value - b[i])),
  };
}

export function stats(values) {
  const sorted = [...values].sort((x, y) => x - y);
  return { median: median(sorted), min: sorted[0], max: sorted.at(-1), runs: values.length };
}

export function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** ms since `start` (a `process.hrtime.bigint()`). */
export function msSince(start) {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export async function settleMemory() {
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const fmt = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : String(value));

/**
 * autocannon in its own process (so the load generator does not take CPU from the server under test
 * inside one event loop); returns its JSON result.
 */
export async function loadFromOtherProcess(url, { connections = 10, duration = 3 } = {}) {
  const { execFile } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const cli = fileURLToPath(new URL('../node_modules/autocannon/autocannon.js', import.meta.url));
  const stdout = await new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [cli, '-c', String(connections), '-d', String(duration), '-j', url],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, out) => (error ? reject(error) : resolve(out)),
    ),
  );
  return JSON.parse(stdout);
}

/**
 * A load run for `alternate()`: `base + path` under autocannon (10 connections, `duration` s) in its own process; the
 * requests per second, negated (alternate() puts the lower first; callers negate the medians back). Any non-2xx
 * answer or error fails the run.
 */
export function requestRate(base, duration) {
  return (path) => async () => {
    const result = await loadFromOtherProcess(base + path, { connections: 10, duration });
    if (result.non2xx || result.errors) throw new Error(`${path}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return -result.requests.average;
  };
}
