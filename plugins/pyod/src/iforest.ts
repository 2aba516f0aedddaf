import type { Matrix } from '@nestjs-plugin-host/anomaly-contracts';
import { sampleIndices, seededRandom } from './random.js';

/** A node of an isolation tree: a split, or a leaf holding how many samples reached it. */
export type IsolationNode =
  { feature: number; value: number; left: IsolationNode; right: IsolationNode } | { size: number };

export interface IsolationForestModel {
  method: 'iforest';
  trees: IsolationNode[];
  /** Samples per tree (ψ); the normaliser of path lengths. */
  sampleSize: number;
}

export interface IsolationForestParams {
  nEstimators: number;
  maxSamples: number;
  randomState: number;
}

const EULER_GAMMA = 0.5772156649015329;

/** Average path length of an unsuccessful BST search over n points: c(n) of Liu et al. 2008. */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/**
 * Isolation Forest (Liu, Ting and Zhou, 2008), as PyOD's IForest: `nEstimators`
 * trees, each grown on `min(maxSamples, n)` rows drawn without replacement, to a
 * height limit of ceil(log2 ψ). Splits pick a random non-constant feature and a
 * uniform value between its min and max in the node.
 */
export function fitIsolationForest(data: Matrix, params: IsolationForestParams): IsolationForestModel {
  const random = seededRandom(params.randomState);
  const sampleSize = Math.min(params.maxSamples, data.length);
  const heightLimit = Math.ceil(Math.log2(Math.max(sampleSize, 2)));
  const trees: IsolationNode[] = [];
  for (let t = 0; t < params.nEstimators; t++) {
    const rows = sampleIndices(data.length, sampleSize, random).map((i) => data[i]);
    trees.push(growTree(rows, 0, heightLimit, random));
  }
  return { method: 'iforest', trees, sampleSize };
}

function growTree(rows: number[][], depth: number, heightLimit: number, random: () => number): IsolationNode {
  if (depth >= heightLimit || rows.length <= 1) return { size: rows.length };
  const width = rows[0].length;
  const spread: { feature: number; min: number; max: number }[] = [];
  for (let feature = 0; feature < width; feature++) {
    let min = Infinity;
    let max = -Infinity;
    for (const row of rows) {
      if (row[feature] < min) min = row[feature];
      if (row[feature] > max) max = row[feature];
    }
    if (max > min) spread.push({ feature, min, max });
  }
  if (spread.length === 0) return { size: rows.length }; // all rows identical: cannot isolate further
  const { feature, min, max } = spread[Math.floor(random() * spread.length)];
  const value = min + random() * (max - min);
  const left = rows.filter((row) => row[feature] < value);
  const right = rows.filter((row) => row[feature] >= value);
  return {
    feature,
    value,
    left: growTree(left, depth + 1, heightLimit, random),
    right: growTree(right, depth + 1, heightLimit, random),
  };
}

function pathLength(node: IsolationNode, row: readonly number[], depth = 0): number {
  if ('size' in node) return depth + averagePathLength(node.size);
  return pathLength(row[node.feature] < node.value ? node.left : node.right, row, depth + 1);
}

/** Anomaly scores s(x) = 2^(−E[h(x)] / c(ψ)) in (0, 1]: higher is more anomalous. */
export function scoreIsolationForest(model: IsolationForestModel, data: Matrix): number[] {
  const normaliser = averagePathLength(model.sampleSize) || 1;
  return data.map((row) => {
    const mean = model.trees.reduce((sum, tree) => sum + pathLength(tree, row), 0) / model.trees.length;
    return 2 ** (-mean / normaliser);
  });
}
