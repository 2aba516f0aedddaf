import { expect } from '@jest/globals';
import { readFileSync } from 'node:fs';

/** What PyOD's own code computed on one data set (`fixtures/pyod-reference.json`, written by `scripts/pyod-reference.py`). */
export interface MethodReference {
  /** decision_scores_ after fit(train). */
  trainScores: number[];
  threshold: number;
  trainLabels: number[];
  /** decision_function(test), the rows as one batch. */
  testScores: number[];
  /** decision_function of each test row alone. */
  testScoresSingle: number[];
  /** ECOD, COPOD: the per-feature outlier scores O of the training rows. */
  trainO: number[][];
  /** HBOS: bin edges and densities per feature. */
  binEdges: number[][];
  hist: number[][];
  /** LOF: the training rows' local reachability densities. */
  trainLrd: number[];
}

export interface PyodReference {
  train: number[][];
  test: number[][];
  methods: Record<string, MethodReference>;
  /** Small data sets (`X`) with ECOD, COPOD and HBOS decision_scores_ under the method's name. */
  edge: Record<string, { X: number[][] } & Record<string, unknown>>;
}

export const REFERENCE = JSON.parse(
  readFileSync(new URL('./fixtures/pyod-reference.json', import.meta.url), 'utf8'),
) as PyodReference;

/** Equal to PyOD's values within 1e-9 relative (float error: sums in another order than numpy's). */
export function expectClose(actual: ArrayLike<number>, expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  Array.from(actual).forEach((value, i) => {
    if (!(Math.abs(value - expected[i]) <= 1e-9 * Math.max(1, Math.abs(expected[i]))))
      throw new Error(`value ${i}: ${value}, PyOD ${expected[i]}`);
  });
}
