import type { Matrix } from '@nestjs-plugin-host/anomaly-contracts';
import { checkNeighbours, kNearest, trainingNeighbours, treeOf, type Neighbours } from './neighbours.js';

/** How PyOD's KNN turns a row's k neighbour distances into its score. */
export type KnnAggregate = 'largest' | 'mean' | 'median';

export interface KnnParams {
  /** k, PyOD's n_neighbors: fewer than the number of training rows. */
  nNeighbors: number;
  method: KnnAggregate;
}

export interface KnnModel {
  method: 'knn';
  /** PyOD's `method`: the k-th distance, the mean or the median of the k distances. */
  aggregate: KnnAggregate;
  nNeighbors: number;
  /** The training rows (the search tree is rebuilt from them on first use, see `treeOf`). */
  rows: number[][];
}

/**
 * KNN (Ramaswamy et al., 2000; Angiulli & Pizzuti, 2002) as PyOD computes it (`pyod/models/knn.py`): a row's score is
 * the largest, mean or median of its Euclidean distances to its k nearest training rows. A training row's neighbours are
 * the other training rows (PyOD's `kneighbors()` without X), a new row's are all training rows.
 */
export function fitKnn(data: Matrix, { nNeighbors, method }: KnnParams): KnnModel {
  checkNeighbours(nNeighbors, data.length);
  return { method: 'knn', aggregate: method, nNeighbors, rows: data };
}

/** PyOD's decision_scores_. */
export function knnTrainingScores(model: KnnModel): number[] {
  return aggregate(trainingNeighbours(treeOf(model.rows), model.nNeighbors), model.aggregate);
}

/** PyOD's decision_function of new rows. */
export function scoreKnn(model: KnnModel, data: Matrix): number[] {
  return aggregate(kNearest(treeOf(model.rows), data, model.nNeighbors), model.aggregate);
}

function aggregate({ k, distances }: Neighbours, method: KnnAggregate): number[] {
  const count = distances.length / k;
  const scores = new Array<number>(count);
  for (let q = 0; q < count; q++) {
    const base = q * k; // distances ascending
    if (method === 'largest') scores[q] = distances[base + k - 1];
    else if (method === 'mean') {
      let sum = 0;
      for (let i = 0; i < k; i++) sum += distances[base + i];
      scores[q] = sum / k;
    } else {
      const half = k >>> 1;
      scores[q] = k % 2 === 1 ? distances[base + half] : (distances[base + half - 1] + distances[base + half]) / 2; // np.median
    }
  }
  return scores;
}
