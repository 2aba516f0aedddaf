import { describe, expect, it } from '@jest/globals';
import { REFERENCE, expectClose } from '../test/pyod-reference.js';
import { fitHbos, scoreHbos } from './hbos.js';
import { percentile } from './stats.js';

const PARAMS = { nBins: 10, alpha: 0.1, tol: 0.5 };

describe('hbos, against PyOD', () => {
  const reference = REFERENCE.methods.hbos;

  it("builds numpy's bin edges and densities", () => {
    const model = fitHbos(REFERENCE.train, PARAMS);
    model.edges.forEach((edges, i) => expectClose(edges, reference.binEdges[i]));
    model.logDensity.forEach((logs, i) =>
      expectClose(
        logs,
        reference.hist[i].map((density) => Math.log2(density + PARAMS.alpha)),
      ),
    );
  });

  it("scores the training rows as PyOD's decision_scores_, with its threshold and labels", () => {
    const model = fitHbos(REFERENCE.train, PARAMS);
    const scores = scoreHbos(model, REFERENCE.train);
    expectClose(scores, reference.trainScores);
    const threshold = percentile(scores, 90);
    expectClose([threshold], [reference.threshold]);
    expect(scores.map((score) => (score > threshold ? 1 : 0))).toEqual(reference.trainLabels);
  });

  it("scores new rows as PyOD's decision_function, in a batch or one by one (edges, tol, beyond the range)", () => {
    const model = fitHbos(REFERENCE.train, PARAMS);
    expectClose(scoreHbos(model, REFERENCE.test), reference.testScores);
    expectClose(
      REFERENCE.test.map((row) => scoreHbos(model, [row])[0]),
      reference.testScoresSingle,
    );
  });

  it.each(Object.keys(REFERENCE.edge))('matches PyOD on the edge case %s', (name) => {
    const { X, hbos } = REFERENCE.edge[name];
    expectClose(scoreHbos(fitHbos(X, PARAMS), X), hbos as number[]);
  });
});

describe('hbos', () => {
  it('scores a value on an interior edge with the lower bin (numpy digitize right=True), though it is counted in the upper one', () => {
    // Edges 0, 1, …, 10: the value 5 is counted in bin [5, 6) but scored with bin (4, 5], which is empty.
    const data = [0, 1, 2, 3, 5, 5, 5, 6, 7, 8, 9, 10].map((v) => [v]);
    const model = fitHbos(data, PARAMS);
    const [onEdge] = scoreHbos(model, [[5]]);
    expect(onEdge).toBeCloseTo(-Math.log2(0 + PARAMS.alpha), 12);
  });

  it('handles a constant column (numpy widens its range to ±0.5)', () => {
    const model = fitHbos(
      [
        [1, 3],
        [2, 3],
        [3, 3],
      ],
      PARAMS,
    );
    expect(model.edges[1][0]).toBe(2.5);
    expect(model.edges[1][10]).toBe(3.5);
    expect(scoreHbos(model, [[1, 3]]).every(Number.isFinite)).toBe(true);
  });

  it('refuses invalid params', () => {
    expect(() => fitHbos([[1], [2]], { ...PARAMS, nBins: 1 })).toThrow(RangeError);
    expect(() => fitHbos([[1], [2]], { ...PARAMS, alpha: 0 })).toThrow(RangeError);
    expect(() => fitHbos([[1], [2]], { ...PARAMS, tol: -1 })).toThrow(RangeError);
  });
});
