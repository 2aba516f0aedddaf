import { describe, expect, it } from '@jest/globals';
import { sampleIndices, seededRandom } from './random.js';

/** The dense partial Fisher–Yates the sparse one must equal draw for draw (forests stay the same for a seed). */
function denseSample(n: number, k: number, random: () => number): number[] {
  const pool = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (n - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, k);
}

describe('sampleIndices', () => {
  it.each([
    [10, 10],
    [1000, 256],
    [100_000, 256],
    [5, 1],
  ])('draws %i choose %i: distinct, in range, the same as the dense shuffle for the same seed', (n, k) => {
    for (const seed of [1, 42, 7777]) {
      const picked = sampleIndices(n, k, seededRandom(seed));
      expect(picked).toEqual(denseSample(n, k, seededRandom(seed)));
      expect(new Set(picked).size).toBe(k);
      expect(picked.every((i) => i >= 0 && i < n)).toBe(true);
    }
  });
});
