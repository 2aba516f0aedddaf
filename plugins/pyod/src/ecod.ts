import type { Matrix } from '@nestjs-plugin-host/anomaly-contracts';
import { argsort } from './stats.js';

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
  return { method, columns: columns(data, data[0].length).map((values) => plain(values.sort())) }; // plain arrays: the model is plain data
}

/** PyOD's `O` for the training rows themselves (what `decision_scores_` sums): needs no model, the rows are the sample. */
export function trainingOutlierMatrix(method: EcdfMethod, data: Matrix): number[][] {
  return toRows(outlierColumns(method, undefined, data), data.length);
}

/** PyOD's `O` for new rows: each feature's sample is the training column plus the batch's column. */
export function outlierMatrixOf(model: EcdfModel, data: Matrix): number[][] {
  return toRows(outlierColumns(model.method, model.columns, data), data.length);
}

/** The training rows' scores: the sums of `trainingOutlierMatrix`'s rows. */
export function trainingScores(method: EcdfMethod, data: Matrix): number[] {
  return rowSums(outlierColumns(method, undefined, data), data.length);
}

/** New rows' scores: the sums of `outlierMatrixOf`'s rows. */
export function scoresOf(model: EcdfModel, data: Matrix): number[] {
  return rowSums(outlierColumns(model.method, model.columns, data), data.length);
}

/** The columns of `data`, read row by row (a row-major pass: each row's values sit together in memory). */
function columns(data: Matrix, width: number): Float64Array[] {
  const out = Array.from({ length: width }, () => new Float64Array(data.length));
  for (let r = 0; r < data.length; r++) {
    const row = data[r];
    for (let j = 0; j < width; j++) out[j][r] = row[j];
  }
  return out;
}

/**
 * A typed array as a plain array. Pushed, not `new Array(n)` then filled: that array stays "holey" to V8 and is cloned
 * across threads three times slower; `Array.from` walks an iterator.
 */
function plain(values: Float64Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) out.push(values[i]);
  return out;
}

/**
 * O, one array per feature, for `rows`: the training rows themselves (no `training` columns: the sample is the rows)
 * or a new batch (the sample is each sorted training column plus the batch's). The rows are visited in the order of
 * their values (an argsort), so the counts #{v ≤ x} and #{v ≥ x} come from one walk beside the sorted training column:
 * O(n log n) per feature, and no search per row.
 */
function outlierColumns(method: EcdfMethod, training: number[][] | undefined, rows: Matrix): Float64Array[] {
  const count = rows.length;
  return columns(rows, rows[0].length).map((values, j) => {
    const train = training?.[j] ?? []; // the training rows themselves: nothing beside them
    const order = argsort(values);
    const sorted = new Float64Array(count); // read in order below
    for (let k = 0; k < count; k++) sorted[k] = values[order[k]];
    const n = train.length + count;
    const sign = skewSign([train, values], n);
    const out = new Float64Array(count);
    let trainLe = 0; // training values ≤ x, and < x
    let trainLt = 0;
    for (let start = 0; start < count;) {
      const x = sorted[start];
      let end = start + 1;
      while (end < count && sorted[end] === x) end++;
      while (trainLt < train.length && train[trainLt] < x) trainLt++;
      if (trainLe < trainLt) trainLe = trainLt;
      while (trainLe < train.length && train[trainLe] <= x) trainLe++;
      const left = -Math.log((end + trainLe) / n); // #{v ≤ x} / n
      const right = -Math.log((count - start + train.length - trainLt) / n); // #{v ≥ x} / n
      const skewed = sign < 0 ? left : sign > 0 ? right : left + right;
      const o = Math.max(skewed, method === 'ecod' ? Math.max(left, right) : (left + right) / 2);
      for (let k = start; k < end; k++) out[order[k]] = o;
      start = end;
    }
    return out;
  });
}

function toRows(columns: Float64Array[], count: number): number[][] {
  return Array.from({ length: count }, (_, r) => columns.map((column) => column[r]));
}

function rowSums(columns: Float64Array[], count: number): number[] {
  const sums = new Array<number>(count).fill(0);
  for (const column of columns) for (let r = 0; r < count; r++) sums[r] += column[r];
  return sums;
}

/**
 * The sign of PyOD's `skew`: scipy's biased skewness over the union of `parts`, with NaN (a sample constant within
 * float resolution) made 0 by `np.nan_to_num`, so such a feature counts both tails.
 */
function skewSign(parts: ArrayLike<number>[], n: number): number {
  let sum = 0;
  for (const part of parts) for (let i = 0; i < part.length; i++) sum += part[i];
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      const d = part[i] - mean;
      m2 += d * d;
      m3 += d * d * d;
    }
  }
  m2 /= n;
  m3 /= n;
  if (m2 <= (1e-15 * mean) ** 2) return 0; // scipy: NaN when m2 <= (float64 resolution 1e-15 · mean)²
  return Math.sign(m3 / m2 ** 1.5);
}
