import { describe, expect, it } from '@jest/globals';
import { REFERENCE, expectClose } from '../test/pyod-reference.js';
import { fitKnn, knnTrainingScores, scoreKnn, type KnnAggregate } from './knn.js';
import { buildKdTree, kNearest, trainingNeighbours } from './neighbours.js';
import { seededRandom } from './random.js';
import { percentile } from './stats.js';

describe.each(['largest', 'mean', 'median'] as const)('knn (%s), against PyOD', (method) => {
  const reference = REFERENCE.methods[`knn-${method}`];

  it("scores the training rows as PyOD's decision_scores_, with its threshold and labels", () => {
    const scores = knnTrainingScores(fitKnn(REFERENCE.train, { nNeighbors: 5, method }));
    expectClose(scores, reference.trainScores);
    const threshold = percentile(scores, 90);
    expectClose([threshold], [reference.threshold]);
    expect(scores.map((score) => (score > threshold ? 1 : 0))).toEqual(reference.trainLabels);
  });

  it("scores new rows as PyOD's decision_function, in a batch or one by one", () => {
    const model = fitKnn(REFERENCE.train, { nNeighbors: 5, method });
    expectClose(scoreKnn(model, REFERENCE.test), reference.testScores);
    expectClose(
      REFERENCE.test.map((row) => scoreKnn(model, [row])[0]),
      reference.testScoresSingle,
    );
  });
});

/** The k smallest distances by brute force (sum of squares in feature order, then sqrt), ascending; `self` skipped. */
function bruteForce(rows: number[][], query: number[], k: number, self: number): { index: number; distance: number }[] {
  return rows
    .map((row, index) => ({ index, distance: Math.sqrt(row.reduce((sum, v, j) => sum + (query[j] - v) ** 2, 0)) }))
    .filter(({ index }) => index !== self)
    .sort((a, b) => a.distance - b.distance || a.index - b.index)
    .slice(0, k);
}

function randomRows(random: () => number, n: number, width: number, levels?: number): number[][] {
  // `levels` rounds values to a few levels, making many duplicate rows and equal coordinates.
  return Array.from({ length: n }, () =>
    Array.from({ length: width }, () => (levels ? Math.floor(random() * levels) : random() * 10 - 5)),
  );
}

describe('neighbour search (KD-tree)', () => {
  const cases = [
    { seed: 1, n: 500, width: 2, k: 5 },
    { seed: 2, n: 800, width: 5, k: 20 },
    { seed: 3, n: 300, width: 12, k: 7 },
    { seed: 4, n: 1000, width: 1, k: 3 },
    { seed: 5, n: 60, width: 3, k: 59 },
    { seed: 6, n: 700, width: 30, k: 10 },
  ];

  it.each(cases)(
    'equals brute force: training rows (self excluded) and new rows, seed $seed, $n × $width, k = $k',
    ({ seed, n, width, k }) => {
      const random = seededRandom(seed);
      const rows = randomRows(random, n, width);
      const queries = randomRows(random, 50, width);
      const tree = buildKdTree(rows);
      const training = trainingNeighbours(tree, k);
      for (let q = 0; q < n; q++) {
        const expected = bruteForce(rows, rows[q], k, q);
        expect(Array.from(training.distances.subarray(q * k, (q + 1) * k))).toEqual(
          expected.map(({ distance }) => distance),
        );
        expect(Array.from(training.indices.subarray(q * k, (q + 1) * k)).sort((a, b) => a - b)).toEqual(
          expected.map(({ index }) => index).sort((a, b) => a - b),
        );
      }
      const found = kNearest(tree, queries, k);
      queries.forEach((query, q) => {
        const expected = bruteForce(rows, query, k, -1);
        expect(Array.from(found.distances.subarray(q * k, (q + 1) * k))).toEqual(
          expected.map(({ distance }) => distance),
        );
        expect(Array.from(found.indices.subarray(q * k, (q + 1) * k)).sort((a, b) => a - b)).toEqual(
          expected.map(({ index }) => index).sort((a, b) => a - b),
        );
      });
    },
  );

  it.each([7, 8])('gives the brute-force distances with many duplicate rows and ties, seed %i', (seed) => {
    // With ties the chosen rows may differ from brute force; the distances may not.
    const random = seededRandom(seed);
    const rows = randomRows(random, 600, 3, 4);
    const tree = buildKdTree(rows);
    const training = trainingNeighbours(tree, 6);
    rows.forEach((row, q) => {
      expect(Array.from(training.distances.subarray(q * 6, (q + 1) * 6))).toEqual(
        bruteForce(rows, row, 6, q).map(({ distance }) => distance),
      );
      expect(Array.from(training.indices.subarray(q * 6, (q + 1) * 6))).not.toContain(q);
    });
  });
});

describe('knn', () => {
  it('counts a duplicate of a training row as a neighbour at distance 0, but not the row itself', () => {
    const rows = [
      [1, 2],
      [1, 2],
      [3, 1.5],
      [3, 1.5],
      [4, 7],
      [10, 3],
    ];
    expect(knnTrainingScores(fitKnn(rows, { nNeighbors: 1, method: 'largest' })).slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(scoreKnn(fitKnn(rows, { nNeighbors: 1, method: 'largest' }), [[1, 2]])).toEqual([0]);
  });

  it('works on one feature', () => {
    const rows = [0, 1, 2, 3, 4, 5, 6, 7, 8, 100].map((v) => [v]);
    expect(knnTrainingScores(fitKnn(rows, { nNeighbors: 2, method: 'largest' }))).toEqual([
      2, 1, 1, 1, 1, 1, 1, 1, 2, 93,
    ]);
    expect(scoreKnn(fitKnn(rows, { nNeighbors: 2, method: 'mean' }), [[-1]])).toEqual([1.5]);
  });

  it.each<[KnnAggregate, number]>([
    ['largest', 4],
    ['mean', 2.5],
    ['median', 2.5],
  ])('aggregates the k distances by %s (np.median: the middle two averaged for even k)', (method, expected) => {
    const rows = [[1], [2], [3], [4], [10]];
    expect(scoreKnn(fitKnn(rows, { nNeighbors: 4, method }), [[0]])).toEqual([expected]);
  });

  it('refuses n_neighbors ≥ the number of rows, with a clear error', () => {
    const rows = [[1], [2], [3], [4], [5]];
    expect(() => fitKnn(rows, { nNeighbors: 5, method: 'largest' })).toThrow(
      new RangeError(
        'n_neighbors (5) must be less than the number of rows (5): fit on more rows, or set nNeighbors to at most 4',
      ),
    );
    expect(() => fitKnn(rows, { nNeighbors: 0, method: 'largest' })).toThrow(RangeError);
  });

  it('is plain data: a JSON copy of the model scores the same', () => {
    const model = fitKnn(REFERENCE.train, { nNeighbors: 5, method: 'mean' });
    const copy = JSON.parse(JSON.stringify(model)) as typeof model;
    expect(scoreKnn(copy, REFERENCE.test)).toEqual(scoreKnn(model, REFERENCE.test));
  });
});
