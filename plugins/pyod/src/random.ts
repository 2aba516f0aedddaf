/**
 * A small seedable PRNG (mulberry32): the same `randomState` gives the same
 * forest, so results are reproducible as with PyOD's `random_state`.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `k` distinct indices out of `0..n-1`: a partial Fisher–Yates over a sparse pool (only the swapped places are
 * kept), so drawing 256 rows of 100 000 costs O(k), not an array of n per tree; the same draws as the dense shuffle.
 */
export function sampleIndices(n: number, k: number, random: () => number): number[] {
  const swapped = new Map<number, number>();
  const picked: number[] = [];
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (n - i));
    const atI = swapped.get(i) ?? i;
    const atJ = swapped.get(j) ?? j;
    swapped.set(j, atI);
    picked.push(atJ);
  }
  return picked;
}
