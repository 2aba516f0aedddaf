import type { Matrix } from '@nestjs-plugin-host/anomaly-contracts';
import { countBelow } from './stats.js';

export interface HbosParams {
  /** Bins per feature (PyOD's static n_bins), an integer ≥ 2. */
  nBins: number;
  /** Added to each bin's density before the log (PyOD's alpha), > 0. */
  alpha: number;
  /** How far outside the training range, in bin widths, a value still takes the edge bin's score (PyOD's tol), ≥ 0. */
  tol: number;
}

export interface HbosModel {
  method: 'hbos';
  /** Per feature: the nBins + 1 bin edges, ascending (numpy's histogram edges). */
  edges: number[][];
  /** Per feature: log2(density + alpha) of each bin, PyOD's out_score_i. */
  logDensity: number[][];
  alpha: number;
  tol: number;
}

/**
 * HBOS (Goldstein & Dengel, 2012) as PyOD computes it with static bins (`pyod/models/hbos.py`): per feature, numpy's
 * `histogram(x, bins=nBins, density=True)`; a value's score on a feature is log2 of its bin's density plus alpha, and a
 * row's score is minus the sum over features. The training rows are scored by the same function as new rows.
 */
export function fitHbos(data: Matrix, { nBins, alpha, tol }: HbosParams): HbosModel {
  if (!Number.isInteger(nBins) || nBins < 2) throw new RangeError(`n_bins must be an integer ≥ 2, got ${nBins}`);
  if (!(alpha > 0)) throw new RangeError(`alpha must be > 0, got ${alpha}`);
  if (!(tol >= 0)) throw new RangeError(`tol must be ≥ 0, got ${tol}`);
  const width = data[0].length;
  const edges: number[][] = [];
  const logDensity: number[][] = [];
  for (let i = 0; i < width; i++) {
    const column = data.map((row) => row[i]);
    const featureEdges = histogramEdges(column, nBins);
    edges.push(featureEdges);
    logDensity.push(histogramDensity(column, featureEdges).map((density) => Math.log2(density + alpha)));
  }
  return { method: 'hbos', edges, logDensity, alpha, tol };
}

/** PyOD's decision_function (and decision_scores_ for the training rows): −Σ over features of the value's bin score. */
export function scoreHbos(model: HbosModel, data: Matrix): number[] {
  return data.map((row) => {
    let sum = 0;
    for (let i = 0; i < model.edges.length; i++)
      sum += featureScore(model.edges[i], model.logDensity[i], model.tol, row[i]);
    return -sum;
  });
}

/** numpy's linspace edges for `bins=n`: min + j · ((max − min) / n), the last exactly max; a constant column spans ±0.5. */
function histogramEdges(column: number[], nBins: number): number[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of column) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const step = (hi - lo) / nBins;
  const edges = Array.from({ length: nBins + 1 }, (_, j) => lo + j * step);
  edges[nBins] = hi;
  return edges;
}

/** numpy's `density=True`: count / bin width / n, bins [a, b) with the last one closed. */
function histogramDensity(column: number[], edges: number[]): number[] {
  const nBins = edges.length - 1;
  const counts = new Array<number>(nBins).fill(0);
  for (const v of column) {
    // The last bin b with edges[b] <= v (the max itself falls in the last bin).
    let lo = 0;
    let hi = nBins - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (edges[mid] <= v) lo = mid;
      else hi = mid - 1;
    }
    counts[lo]++;
  }
  return counts.map((count, b) => count / (edges[b + 1] - edges[b]) / column.length);
}

/**
 * PyOD's per-feature score, `np.digitize(x, edges, right=True)`: scoring bins are (a, b], unlike the counting bins [a, b),
 * so a value exactly on an interior edge is counted in the upper bin but scored with the lower one (as PyOD does).
 * Values outside the edges take the edge bin's score within tol bin widths, else the feature's lowest score.
 */
function featureScore(edges: number[], logDensity: number[], tol: number, x: number): number {
  const nBins = logDensity.length;
  const k = countBelow(edges, x); // the number of edges < x
  if (k === 0) {
    const dist = edges[0] - x;
    return dist <= (edges[1] - edges[0]) * tol ? logDensity[0] : Math.min(...logDensity);
  }
  if (k === nBins + 1) {
    const dist = x - edges[nBins];
    return dist <= (edges[nBins] - edges[nBins - 1]) * tol ? logDensity[nBins - 1] : Math.min(...logDensity);
  }
  return logDensity[k - 1];
}
