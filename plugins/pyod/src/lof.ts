import type { Matrix } from '@nestjs-plugin-host/anomaly-contracts';
import { kNearest, trainingNeighbours, treeOf, type Neighbours } from './neighbours.js';

export interface LofParams {
  /** PyOD's n_neighbors; the fit uses min(nNeighbors, n − 1), as sklearn does. */
  nNeighbors: number;
}

export interface LofModel {
  method: 'lof';
  /** The k actually used: max(1, min(nNeighbors, n − 1)). */
  nNeighbors: number;
  /** The training rows (the search tree is rebuilt from them on first use, see `treeOf`). */
  rows: number[][];
  /** Each training row's distance to its k-th nearest other training row. */
  kDistance: number[];
  /** Each training row's local reachability density. */
  lrd: number[];
  /** PyOD's decision_scores_: the training rows' own LOF. */
  trainingScores: number[];
}

/**
 * LOF (Breunig et al., 2000) as PyOD computes it (`pyod/models/lof.py`: sklearn's LocalOutlierFactor, novelty=True,
 * Euclidean). reach(x, o) = max(d(x, o), k-distance(o)); lrd(x) = 1 / (mean reach over x's k neighbours + 1e-10);
 * LOF(x) = mean over x's neighbours o of lrd(o) / lrd(x). Training rows' neighbours are the other training rows, new
 * rows' are all training rows, always with the training rows' k-distances and lrds.
 */
export function fitLof(data: Matrix, { nNeighbors }: LofParams): LofModel {
  if (!Number.isInteger(nNeighbors) || nNeighbors < 1)
    throw new RangeError(`n_neighbors must be a positive integer, got ${nNeighbors}`);
  // sklearn fits with n ≥ 2 rows only (one row has no other row as neighbour).
  if (data.length < 2) throw new RangeError(`lof needs at least 2 rows, got ${data.length}`);
  const k = Math.max(1, Math.min(nNeighbors, data.length - 1)); // sklearn's own clamp (it warns, PyOD goes on)
  const neighbours = trainingNeighbours(treeOf(data), k);
  const kDistance = Array.from({ length: data.length }, (_, i) => neighbours.distances[i * k + k - 1]);
  const lrd = reachDensities(neighbours, kDistance);
  return { method: 'lof', nNeighbors: k, rows: data, kDistance, lrd, trainingScores: factors(neighbours, lrd, lrd) };
}

/** PyOD's decision_scores_. */
export function lofTrainingScores(model: LofModel): number[] {
  return model.trainingScores;
}

/** PyOD's decision_function of new rows. */
export function scoreLof(model: LofModel, data: Matrix): number[] {
  const neighbours = kNearest(treeOf(model.rows), data, model.nNeighbors);
  return factors(neighbours, reachDensities(neighbours, model.kDistance), model.lrd);
}

function reachDensities({ k, indices, distances }: Neighbours, kDistance: number[]): number[] {
  const count = indices.length / k;
  return Array.from({ length: count }, (_, q) => {
    let sum = 0;
    for (let i = q * k; i < (q + 1) * k; i++) sum += Math.max(distances[i], kDistance[indices[i]]);
    return 1 / (sum / k + 1e-10); // sklearn's 1e-10 keeps duplicates (reach 0) finite
  });
}

/** mean over each row's neighbours o of lrdTrain[o] / lrdOf[row]. */
function factors({ k, indices }: Neighbours, lrdOf: number[], lrdTrain: number[]): number[] {
  return lrdOf.map((own, q) => {
    let sum = 0;
    for (let i = q * k; i < (q + 1) * k; i++) sum += lrdTrain[indices[i]] / own;
    return sum / k;
  });
}
