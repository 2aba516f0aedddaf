import type { Matrix } from 'nestjs-plugin-host';
import { countAtMost, countBelow } from './stats.js';

/** ECOD and COPOD: the two detectors built on each feature's empirical CDF. */
export type EcdfMethod = 'ecod' | 'copod';

export interface EcdfModel {
  method: EcdfMethod;
  /** Each training column, sorted ascending (the empirical CDFs). */
  columns: number[][];
}

/**
 * ECOD (Li et al., 2022) and COPOD (Li et al., 2020) as PyOD computes them (`pyod/models/ecod.py`, `copod.py`).
 * Per feature, over a sample of n values: the left and right tail probabilities of a value x, U_l = −log(#{v ≤ x}/n)
 * and U_r = −log(#{v ≥ x}/n) (PyOD's `column_ecdf`: tied values share the larger probability); the sign of the
 * sample's skewness (scipy's biased `skew`) picks a tail, U_skew: left when negative, right when positive, both
 * added when zero. Each feature contributes O = max(U_skew, max(U_l, U_r)) for ECOD and
 * O = max(U_skew, (U_l + U_r) / 2) for COPOD; a row's score is the sum over features. Parameter-free, deterministic.
 *
 * The sample is the training data when scoring the training rows (PyOD's `decision_scores_`), and the training data
 * plus the whole scored batch otherwise (PyOD's `decision_function` pools them): a row's score depends on the rows
 * scored with it, as in PyOD.
 */
export function fitEcdf(data: Matrix, method: EcdfMethod): EcdfModel {
  const width = data[0].length;
  return { method, columns: Array.from({ length: width }, (_, j) => sortedColumn(data, j)) };
}

/** PyOD's `O` for the training rows themselves (what `decision_scores_` sums). */
export function trainingOutlierMatrix(model: EcdfModel, data: Matrix): number[][] {
  return outlierMatrix(
    model.method,
    model.columns.map((column) => [column]),
    data,
  );
}

/** PyOD's `O` for new rows: each feature's sample is the training column plus the batch's column. */
export function outlierMatrixOf(model: EcdfModel, data: Matrix): number[][] {
  return outlierMatrix(
    model.method,
    model.columns.map((column, j) => [column, sortedColumn(data, j)]),
    data,
  );
}

/** Row scores: the sum of each row's per-feature outlier scores. */
export function rowSums(matrix: number[][]): number[] {
  return matrix.map((dims) => dims.reduce((sum, o) => sum + o, 0));
}

function sortedColumn(data: Matrix, j: number): number[] {
  return Array.from(Float64Array.from(data, (row) => row[j]).sort()); // a typed sort is numeric and fast; the model stays plain data
}

/** O for `rows`, where feature j's sample is the union of the sorted arrays `samples[j]`. O(rows · features · log n). */
function outlierMatrix(method: EcdfMethod, samples: number[][][], rows: Matrix): number[][] {
  const tails = samples.map((parts) => {
    const n = parts.reduce((sum, part) => sum + part.length, 0);
    const sign = skewSign(parts, n);
    return { parts, n, sign };
  });
  return rows.map((row) =>
    tails.map(({ parts, n, sign }, j) => {
      const x = row[j];
      let atMost = 0;
      let atLeast = 0;
      for (const part of parts) {
        atMost += countAtMost(part, x);
        atLeast += part.length - countBelow(part, x);
      }
      const left = -Math.log(atMost / n);
      const right = -Math.log(atLeast / n);
      const skewed = sign < 0 ? left : sign > 0 ? right : left + right;
      return Math.max(skewed, method === 'ecod' ? Math.max(left, right) : (left + right) / 2);
    }),
  );
}

/**
 * The sign of PyOD's `skew`: scipy's biased skewness over the union of `parts`, with NaN (a sample constant within
 * float resolution) made 0 by `np.nan_to_num`, so such a feature counts both tails.
 */
function skewSign(parts: number[][], n: number): number {
  let sum = 0;
  for (const part of parts) for (const v of part) sum += v;
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  for (const part of parts) {
    for (const v of part) {
      const d = v - mean;
      m2 += d * d;
      m3 += d * d * d;
    }
  }
  m2 /= n;
  m3 /= n;
  if (m2 <= (1e-15 * mean) ** 2) return 0; // scipy: NaN when m2 <= (float64 resolution 1e-15 · mean)²
  return Math.sign(m3 / m2 ** 1.5);
}
