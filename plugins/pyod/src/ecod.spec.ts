import { describe, expect, it } from '@jest/globals';
import { REFERENCE, expectClose } from '../test/pyod-reference.js';
import { COMPUTE } from './compute.js';
import { trainingOutlierMatrix } from './ecod.js';
import { PyodConfig } from './pyod-config.js';

const settings = (method: 'ecod' | 'copod') => ({ ...new PyodConfig(), method, contamination: 0.1 });

describe.each(['ecod', 'copod'] as const)('%s, against PyOD', (method) => {
  const reference = REFERENCE.methods[method];

  it("scores the training rows as PyOD's decision_scores_, with its threshold and labels", () => {
    const { model, scores } = COMPUTE.fit(REFERENCE.train, settings(method));
    expectClose(scores, reference.trainScores);
    expectClose([model.threshold], [reference.threshold]);
    expect(scores.map((score) => (score > model.threshold ? 1 : 0))).toEqual(reference.trainLabels);
  });

  it("gives PyOD's per-feature outlier scores O (what explain returns)", () => {
    trainingOutlierMatrix(method, REFERENCE.train).forEach((row, i) => expectClose(row, reference.trainO[i]));
  });

  it("scores new rows as PyOD's decision_function: a batch pooled with the training data, or each row alone", () => {
    const { model } = COMPUTE.fit(REFERENCE.train, settings(method));
    expectClose(COMPUTE.score(model, REFERENCE.test), reference.testScores);
    expectClose(
      REFERENCE.test.map((row) => COMPUTE.score(model, [row])[0]),
      reference.testScoresSingle,
    );
    expectClose(
      COMPUTE.explain(model, REFERENCE.test).map((row) => row.reduce((a, b) => a + b, 0)),
      reference.testScores,
    );
  });

  it.each(Object.keys(REFERENCE.edge))('matches PyOD on %s', (name) => {
    const { X, [method]: expected } = REFERENCE.edge[name];
    expectClose(COMPUTE.fit(X, settings(method)).scores, expected as number[]);
  });
});

describe('ECOD versus COPOD', () => {
  it('ECOD ranks both ends of one column alike; COPOD (the mean of the tails) does not', () => {
    const column = [0, 1, 2, 3, 4, 5, 6, 7, 8, 100].map((v) => [v]);
    const ecod = COMPUTE.fit(column, settings('ecod')).scores;
    const copod = COMPUTE.fit(column, settings('copod')).scores;
    expect(ecod[0]).toBeCloseTo(ecod[9], 12);
    expect(ecod[0]).toBeGreaterThan(ecod[8]);
    expect(copod[0]).toBeLessThan(copod[8]);
  });
});
