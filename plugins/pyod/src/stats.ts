/** numpy.percentile with linear interpolation (PyOD's threshold rule). */
export function percentile(values: readonly number[], q: number): number {
  const sorted = Float64Array.from(values).sort(); // a typed sort: numeric, no comparator calls
  const position = ((sorted.length - 1) * q) / 100;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}

/** Count of elements < x in ascending `sorted`. */
export function countBelow(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Below this many values a comparator sort is as fast as the radix sort's four 65 536-bucket passes. */
const RADIX_FROM = 2048;

/**
 * The indices that put `values` (finite, no NaN) in ascending order: numpy's `argsort`. A stable LSD radix sort on
 * the float64 bit patterns (four 16-bit digits), so O(n) with no comparator call per pair: the ECDF methods argsort
 * every feature of every fit, and a comparator sort of 100 000 indices costs about ten times as much.
 */
export function argsort(values: Float64Array): Int32Array {
  const n = values.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (n < RADIX_FROM || !LITTLE_ENDIAN) return order.sort((a, b) => values[a] - values[b]);
  // Keys whose unsigned order is the numeric order: negatives have every bit flipped, positives only the sign bit.
  const bits = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  const low = new Uint32Array(n);
  const high = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const h = bits[2 * i + 1];
    const negative = h >>> 31 === 1;
    high[i] = negative ? ~h >>> 0 : (h | 0x80000000) >>> 0;
    low[i] = negative ? ~bits[2 * i] >>> 0 : bits[2 * i];
  }
  let from = order;
  let to = new Int32Array(n);
  const counts = new Int32Array(65536);
  for (let pass = 0; pass < 4; pass++) {
    const keys = pass < 2 ? low : high;
    const shift = pass % 2 === 0 ? 0 : 16;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(keys[i] >>> shift) & 0xffff]++;
    if (counts[(keys[0] >>> shift) & 0xffff] === n) continue; // every key has this digit: the pass would not move anything
    let total = 0;
    for (let d = 0; d < 65536; d++) {
      const count = counts[d];
      counts[d] = total;
      total += count;
    }
    for (let i = 0; i < n; i++) {
      const index = from[i];
      to[counts[(keys[index] >>> shift) & 0xffff]++] = index;
    }
    [from, to] = [to, from];
  }
  return from;
}
