import type { Matrix } from 'nestjs-plugin-host';
import { countAtMost, countBelow, skewness } from './stats.js';

export interface EcodModel {
  method: 'ecod';
  /** Each training column, sorted ascending (the empirical CDFs). */
  columns: number[][];
  /** Skewness of each training column: it picks the tail that counts in O_auto. */
  skew: number[];
}

/**
 * ECOD (Li et al., 2022) as PyOD implements it: per feature, the empirical left
 * and right tail probabilities of a value, U_l = −log F(x) and U_r = −log(1 − F(x⁻));
 * the skewness of the training column picks a tail (U_skew: left when negative,
 * right when positive, both when zero); each feature contributes
 * O = max(U_skew, (U_l + U_r) / 2), and the score is the sum over features.
 * Parameter-free and deterministic.
 */
export function fitEcod(data: Matrix): EcodModel {
  const width = data[0].length;
  const columns = Array.from({ length: width }, (_, j) => data.map((row) => row[j]).sort((a, b) => a - b));
  return { method: 'ecod', columns, skew: columns.map((column) => skewness(column)) };
}

/**
 * Per-row, per-feature outlier scores O (what `explain` returns). The tails are
 * taken over the training data plus the scored row itself, so a value beyond
 * every training value gets a finite score and a row scores the same alone or in
 * a batch (PyOD pools the whole batch with the training data instead).
 */
export function ecodDimensionScores(model: EcodModel, data: Matrix): number[][] {
  const n = model.columns[0].length + 1;
  return data.map((row) =>
    model.columns.map((column, j) => {
      const left = -Math.log((countAtMost(column, row[j]) + 1) / n);
      const right = -Math.log((column.length - countBelow(column, row[j]) + 1) / n);
      const sign = Math.sign(model.skew[j]);
      const chosen = sign < 0 ? left : sign > 0 ? right : left + right;
      return Math.max(chosen, (left + right) / 2);
    }),
  );
}

/** ECOD outlier scores: higher is more anomalous. */
export function scoreEcod(model: EcodModel, data: Matrix): number[] {
  return ecodDimensionScores(model, data).map((dims) => dims.reduce((sum, o) => sum + o, 0));
}
