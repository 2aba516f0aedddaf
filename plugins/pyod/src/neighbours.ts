import type { Matrix } from '@nestjs-plugin-host/anomaly-contracts';

/**
 * Exact k-nearest-neighbour search under the Euclidean distance, shared by KNN and LOF: a KD-tree over the training rows
 * (memory O(n · features), never O(n²)). Each node splits its rows at the median of its widest dimension; leaves hold at
 * most LEAF_SIZE rows. A query walks the near side first and visits the far side only when the lower bound of the
 * distance to its cell (Arya & Mount's incremental distance: the per-dimension offsets to the cell, summed) can beat the
 * current k-th best, so the neighbour sets are those of a brute-force search (ties at exactly equal distances may pick
 * either row).
 *
 * The reported distance is sqrt of the sum of squared differences added feature by feature in order: bit for bit what
 * sklearn's kd-tree returns, so PyOD's scores are reproduced exactly. KD-trees lose their pruning as the dimension grows
 * (from ~20 features on uniform-looking data a query visits most leaves and costs nearly a brute-force scan); the
 * partial-sum early exit in the leaves keeps that scan cheaper, and real data, of lower intrinsic dimension, prunes well.
 */
export interface KdTree {
  n: number;
  width: number;
  /** Row-major copy of the rows in tree order (a leaf's rows are contiguous in memory): position p's feature j at p · width + j. */
  points: Float64Array;
  /** The row index at each position, so each node's rows are a contiguous range of positions. */
  order: Int32Array;
  /** Per node: its range [start, end) in `order`; split dimension (−1 for a leaf), split value and children. */
  start: Int32Array;
  end: Int32Array;
  splitDim: Int32Array;
  splitValue: Float64Array;
  left: Int32Array;
  right: Int32Array;
}

/** The k nearest rows of each query, ascending by distance: query q's i-th neighbour at q · k + i. */
export interface Neighbours {
  k: number;
  indices: Int32Array;
  distances: Float64Array;
}

const LEAF_SIZE = 24;

export function buildKdTree(data: Matrix): KdTree {
  const n = data.length;
  const width = n === 0 ? 0 : data[0].length;
  const points = new Float64Array(n * width);
  data.forEach((row, i) => points.set(row, i * width));
  const order = Int32Array.from({ length: n }, (_, i) => i);
  // A tree whose leaves hold ≥ LEAF_SIZE / 2 rows has fewer than 4n / LEAF_SIZE + 1 nodes; size generously.
  const capacity = 2 * Math.ceil((2 * n) / LEAF_SIZE) + 3;
  const tree: KdTree = {
    n,
    width,
    points,
    order,
    start: new Int32Array(capacity),
    end: new Int32Array(capacity),
    splitDim: new Int32Array(capacity),
    splitValue: new Float64Array(capacity),
    left: new Int32Array(capacity),
    right: new Int32Array(capacity),
  };
  let nodes = 0;
  const build = (start: number, end: number): number => {
    const node = nodes++;
    tree.start[node] = start;
    tree.end[node] = end;
    tree.splitDim[node] = -1;
    if (end - start <= LEAF_SIZE) return node;
    const dim = widestDimension(tree, start, end);
    if (dim < 0) return node; // all rows identical: nothing to split
    const mid = (start + end) >>> 1;
    select(tree, start, end, mid, dim);
    tree.splitDim[node] = dim;
    tree.splitValue[node] = points[order[mid] * width + dim];
    tree.left[node] = build(start, mid);
    tree.right[node] = build(mid, end);
    return node;
  };
  if (n > 0) build(0, n);
  // Lay the rows out in tree order: a leaf scan then reads consecutive memory.
  const sorted = new Float64Array(n * width);
  for (let p = 0; p < n; p++) sorted.set(points.subarray(order[p] * width, (order[p] + 1) * width), p * width);
  tree.points = sorted;
  return tree;
}

/** The widest dimension (largest max − min) over order[start, end), or −1 when every dimension is constant there. */
function widestDimension(tree: KdTree, start: number, end: number): number {
  const { points, order, width } = tree;
  let best = -1;
  let bestSpread = 0;
  for (let j = 0; j < width; j++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let p = start; p < end; p++) {
      const v = points[order[p] * width + j];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (hi - lo > bestSpread) {
      bestSpread = hi - lo;
      best = j;
    }
  }
  return best;
}

/** Quickselect on order[start, end) by coordinate `dim`: afterwards order[mid] holds the median, smaller ones before, larger after. */
function select(tree: KdTree, start: number, end: number, mid: number, dim: number): void {
  const { points, order, width } = tree;
  const key = (p: number) => points[order[p] * width + dim];
  const swap = (a: number, b: number) => {
    const t = order[a];
    order[a] = order[b];
    order[b] = t;
  };
  let lo = start;
  let hi = end - 1;
  while (lo < hi) {
    // Median of three as the pivot, then Hoare partition.
    const m = (lo + hi) >>> 1;
    if (key(m) < key(lo)) swap(m, lo);
    if (key(hi) < key(lo)) swap(hi, lo);
    if (key(hi) < key(m)) swap(hi, m);
    const pivot = key(m);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (key(i) < pivot) i++;
      while (key(j) > pivot) j--;
      if (i <= j) {
        swap(i, j);
        i++;
        j--;
      }
    }
    if (mid <= j) hi = j;
    else if (mid >= i) lo = i;
    else return;
  }
}

/** The k nearest training rows of each query row (new rows: no row excluded). */
export function kNearest(tree: KdTree, queries: Matrix, k: number): Neighbours {
  const search = searcher(tree, k, queries.length);
  const query = new Float64Array(tree.width);
  queries.forEach((row, q) => {
    query.set(row);
    search(query, -1, q);
  });
  return search.result;
}

/** Each training row's k nearest other training rows (itself excluded; a duplicate of it still counts, at distance 0). */
export function trainingNeighbours(tree: KdTree, k: number): Neighbours {
  const { n, width, points, order } = tree;
  const search = searcher(tree, k, n);
  // In tree order: consecutive queries are close, so they walk the same, already cached, leaves.
  for (let p = 0; p < n; p++) search(points.subarray(p * width, (p + 1) * width), order[p], order[p]);
  return search.result;
}

/** A query function writing query q's k nearest rows (skipping row `excluded`) to slot q of `result`, ascending. */
function searcher(
  tree: KdTree,
  k: number,
  count: number,
): ((query: Float64Array, excluded: number, q: number) => void) & { result: Neighbours } {
  const result: Neighbours = { k, indices: new Int32Array(count * k), distances: new Float64Array(count * k) };
  const heapD = new Float64Array(k);
  const heapI = new Int32Array(k);
  const offsets = new Float64Array(tree.width);
  const run = (query: Float64Array, excluded: number, q: number): void => {
    offsets.fill(0);
    const size = search(tree, query, k, excluded, heapD, heapI, offsets);
    // Empty the max-heap from the largest: positions k−1 down to 0 of the sorted output.
    for (let s = size; s > 0; s--) {
      const base = q * k + s - 1;
      result.distances[base] = Math.sqrt(heapD[0]);
      result.indices[base] = heapI[0];
      heapD[0] = heapD[s - 1];
      heapI[0] = heapI[s - 1];
      siftDown(heapD, heapI, s - 1);
    }
  };
  return Object.assign(run, { result });
}

/** Fills the bounded max-heap (heapD, heapI) with the k smallest squared distances; returns how many it holds. */
function search(
  tree: KdTree,
  query: Float64Array,
  k: number,
  excluded: number,
  heapD: Float64Array,
  heapI: Int32Array,
  offsets: Float64Array,
): number {
  const { points, order, width, start, end, splitDim, splitValue, left, right } = tree;
  let size = 0;
  const visit = (node: number, bound: number): void => {
    const dim = splitDim[node];
    if (dim < 0) {
      for (let p = start[node]; p < end[node]; p++) {
        const row = order[p];
        if (row === excluded) continue;
        const worst = size < k ? Infinity : heapD[0];
        const base = p * width;
        let sum = 0;
        // In feature order (the exact sum PyOD's distances use); stop once it cannot enter the heap.
        for (let j = 0; j < width && sum <= worst; j++) {
          const d = query[j] - points[base + j];
          sum += d * d;
        }
        if (sum > worst || (size === k && sum === worst)) continue;
        if (size < k) {
          heapD[size] = sum;
          heapI[size] = row;
          size++;
          siftUp(heapD, heapI, size - 1);
        } else {
          heapD[0] = sum;
          heapI[0] = row;
          siftDown(heapD, heapI, k);
        }
      }
      return;
    }
    const diff = query[dim] - splitValue[node];
    const [near, far] = diff < 0 ? [left[node], right[node]] : [right[node], left[node]];
    visit(near, bound);
    const old = offsets[dim];
    const farBound = bound - old * old + diff * diff;
    // The bound is a lower limit computed in another order than the distances: a tiny slack keeps rounding from pruning a
    // row whose summed distance would still enter the heap.
    if (size < k || farBound <= heapD[0] * (1 + 1e-12)) {
      offsets[dim] = Math.abs(diff);
      visit(far, farBound);
      offsets[dim] = old;
    }
  };
  if (tree.n > 0) visit(0, 0);
  return size;
}

function siftUp(heapD: Float64Array, heapI: Int32Array, at: number): void {
  let i = at;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heapD[parent] >= heapD[i]) return;
    swapHeap(heapD, heapI, i, parent);
    i = parent;
  }
}

function siftDown(heapD: Float64Array, heapI: Int32Array, size: number): void {
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let largest = i;
    if (l < size && heapD[l] > heapD[largest]) largest = l;
    if (r < size && heapD[r] > heapD[largest]) largest = r;
    if (largest === i) return;
    swapHeap(heapD, heapI, i, largest);
    i = largest;
  }
}

function swapHeap(heapD: Float64Array, heapI: Int32Array, a: number, b: number): void {
  const d = heapD[a];
  heapD[a] = heapD[b];
  heapD[b] = d;
  const i = heapI[a];
  heapI[a] = heapI[b];
  heapI[b] = i;
}

/**
 * The tree of a model's training rows, built once per rows array and cached: the model stays plain data (it only holds
 * the rows) and a copy of it (structured clone, JSON) rebuilds its tree on first use, in O(n log n · features).
 */
const TREES = new WeakMap<Matrix, KdTree>();
export function treeOf(rows: Matrix): KdTree {
  let tree = TREES.get(rows);
  if (!tree) {
    tree = buildKdTree(rows);
    TREES.set(rows, tree);
  }
  return tree;
}

/** Refuses k ≥ n (PyOD/sklearn need k + 1 ≤ n for the training rows' own neighbours). */
export function checkNeighbours(nNeighbors: number, rows: number): void {
  if (!Number.isInteger(nNeighbors) || nNeighbors < 1)
    throw new RangeError(`n_neighbors must be a positive integer, got ${nNeighbors}`);
  if (nNeighbors >= rows)
    throw new RangeError(
      `n_neighbors (${nNeighbors}) must be less than the number of rows (${rows}): fit on more rows, or set nNeighbors to at most ${rows - 1}`,
    );
}
