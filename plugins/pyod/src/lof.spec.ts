import { describe, expect, it } from '@jest/globals';
import { REFERENCE, expectClose } from '../test/pyod-reference.js';
import { fitLof, lofTrainingScores, scoreLof } from './lof.js';
import { percentile } from './stats.js';

describe('lof, against PyOD', () => {
  const reference = REFERENCE.methods.lof;

  it("scores the training rows as PyOD's decision_scores_, with its lrd, threshold and labels", () => {
    const model = fitLof(REFERENCE.train, { nNeighbors: 20 });
    expectClose(model.lrd, reference.trainLrd);
    const scores = lofTrainingScores(model);
    expectClose(scores, reference.trainScores);
    const threshold = percentile(scores, 90);
    expectClose([threshold], [reference.threshold]);
    expect(scores.map((score) => (score > threshold ? 1 : 0))).toEqual(reference.trainLabels);
  });

  it("scores new rows as PyOD's decision_function, in a batch or one by one", () => {
    const model = fitLof(REFERENCE.train, { nNeighbors: 20 });
    expectClose(scoreLof(model, REFERENCE.test), reference.testScores);
    expectClose(
      REFERENCE.test.map((row) => scoreLof(model, [row])[0]),
      reference.testScoresSingle,
    );
  });
});

describe('lof', () => {
  it('keeps duplicate rows finite (sklearn adds 1e-10 to the mean reach distance)', () => {
    const rows = [
      [1, 2],
      [1, 2],
      [3, 1.5],
      [3, 1.5],
      [4, 7],
      [10, 3],
    ];
    const model = fitLof(rows, { nNeighbors: 1 });
    expect(lofTrainingScores(model).every(Number.isFinite)).toBe(true);
    expect(scoreLof(model, [[1, 2]]).every(Number.isFinite)).toBe(true);
  });

  it('works on one feature: the far point stands out', () => {
    const rows = [0, 1, 2, 3, 4, 5, 6, 7, 8, 100].map((v) => [v]);
    const scores = lofTrainingScores(fitLof(rows, { nNeighbors: 3 }));
    expect(scores.indexOf(Math.max(...scores))).toBe(9);
    expect(scores[9]).toBeGreaterThan(10);
  });

  it('uses n − 1 neighbours when n_neighbors ≥ the number of rows (as sklearn does)', () => {
    const rows = [[0], [1], [3], [7]];
    const model = fitLof(rows, { nNeighbors: 20 });
    expect(model.nNeighbors).toBe(3);
    expect(lofTrainingScores(model)).toEqual(lofTrainingScores(fitLof(rows, { nNeighbors: 3 })));
  });

  it('refuses fewer than 2 rows and invalid n_neighbors, with a clear error', () => {
    expect(() => fitLof([[1, 2]], { nNeighbors: 20 })).toThrow(new RangeError('lof needs at least 2 rows, got 1'));
    expect(() => fitLof([[1], [2]], { nNeighbors: 0 })).toThrow(RangeError);
  });

  it('is plain data: a JSON copy of the model scores the same', () => {
    const model = fitLof(REFERENCE.train, { nNeighbors: 20 });
    const copy = JSON.parse(JSON.stringify(model)) as typeof model;
    expect(scoreLof(copy, REFERENCE.test)).toEqual(scoreLof(model, REFERENCE.test));
  });
});
