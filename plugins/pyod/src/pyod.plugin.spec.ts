import { describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { PyodConfig } from './pyod-config.js';
import { PyodPlugin } from './pyod.plugin.js';
import { blobsWithOutliers, rocAuc } from '../../../test/support/detection-data.js';
import { percentile } from './stats.js';

const noHostServices = (): never => {
  throw new Error('no host services in this test');
};

async function initializedPlugin(config: Partial<PyodConfig> = {}): Promise<PyodPlugin> {
  const plugin = new PyodPlugin();
  const full = Object.assign(new PyodConfig(), config);
  plugin.initialize(full, {
    name: 'pyod',
    logger: new Logger('test', { timestamp: false }),
    signal: new AbortController().signal,
    config: full,
    get: noHostServices,
  });
  return plugin;
}

describe('PyodPlugin', () => {
  Logger.overrideLogger(false);

  for (const method of ['iforest', 'ecod', 'copod', 'hbos', 'knn', 'lof'] as const) {
    describe(method, () => {
      it('ranks injected far points above the blobs (ROC-AUC > 0.95)', async () => {
        const plugin = await initializedPlugin({ method });
        const { data, truth } = blobsWithOutliers(7);
        const result = await plugin.fitPredict(data);
        expect(rocAuc(result.scores, truth)).toBeGreaterThan(0.95);
      });

      it('keeps its ranking in 5 dimensions', async () => {
        const plugin = await initializedPlugin({ method });
        const { data, truth } = blobsWithOutliers(11, 400, 20, 5);
        expect(rocAuc((await plugin.fitPredict(data)).scores, truth)).toBeGreaterThan(0.95);
      });

      it('labels the contamination share of the training rows 1, by the percentile threshold', async () => {
        const plugin = await initializedPlugin({ method });
        const { data } = blobsWithOutliers(3, 200, 0);
        const model = await plugin.fit(data, { contamination: 0.05 });
        const result = await plugin.fitPredict(data, { contamination: 0.05 });
        expect(model.threshold).toBeCloseTo(percentile(result.scores, 95), 12);
        const flagged = result.labels.filter((label) => label === 1).length;
        expect(flagged).toBeGreaterThanOrEqual(9);
        expect(flagged).toBeLessThanOrEqual(11);
        result.scores.forEach((s, i) => expect(result.labels[i]).toBe(s > result.threshold ? 1 : 0));
      });

      it('scores a new far point higher than a new typical point', async () => {
        const plugin = await initializedPlugin({ method });
        const { data } = blobsWithOutliers(5, 300, 0);
        const result = await plugin.predict(await plugin.fit(data), [
          [0.1, -0.2],
          [40, -40],
        ]);
        expect(result.scores[1]).toBeGreaterThan(result.scores[0]);
        expect(result.labels).toEqual([0, 1]);
      });
    });
  }

  it('is reproducible: the same randomState gives the same scores, another seed different ones', async () => {
    const plugin = await initializedPlugin();
    const { data } = blobsWithOutliers(9);
    const scores = async (randomState: number) =>
      (await plugin.predict(await plugin.fit(data, { randomState }), data)).scores;
    const [a, b, c] = [await scores(1), await scores(1), await scores(2)];
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });

  it('takes its defaults from the config and lets fit params override them', async () => {
    const plugin = await initializedPlugin({ method: 'ecod', contamination: 0.2 });
    const { data } = blobsWithOutliers(4, 100, 0);
    expect(await plugin.fit(data)).toMatchObject({ method: 'ecod', contamination: 0.2 });
    expect(await plugin.fit(data, { method: 'iforest', nEstimators: 10 })).toMatchObject({
      method: 'iforest',
      contamination: 0.2,
    });
  });

  it('explains ECOD scores per feature: the far feature carries the score', async () => {
    const plugin = await initializedPlugin({ method: 'ecod' });
    const { data } = blobsWithOutliers(6, 300, 0);
    const [contributions] = await plugin.explain(await plugin.fit(data), [[0, 60]]);
    expect(contributions[1]).toBeGreaterThan(contributions[0]);
    await expect(plugin.explain(await plugin.fit(data, { method: 'iforest' }), data)).rejects.toThrow(
      /needs an ECOD or COPOD model/,
    );
  });

  it('rejects bad parameters with a message per problem', async () => {
    const plugin = await initializedPlugin();
    expect(plugin.validateParameters({ contamination: 0.9, nEstimators: 0, colour: 'red' })).toEqual([
      'unknown parameter "colour" (known: method, contamination, nEstimators, maxSamples, randomState, nBins, alpha, tol, nNeighbors, knnMethod)',
      'contamination must not be greater than 0.5',
      'nEstimators must not be less than 1',
    ]);
    await expect(plugin.fit([[1], [2]], { nEstimators: 0 })).rejects.toMatchObject({
      code: 'PLUGIN_INPUT_INVALID',
      plugin: 'pyod',
      message: expect.stringContaining('plugin "pyod" cannot fit: nEstimators must not be less than 1'),
    });
  });

  it('reports itself healthy with its methods', async () => {
    const plugin = await initializedPlugin();
    expect(plugin.healthCheck()).toEqual({
      status: 'up',
      details: {
        methods: ['iforest', 'ecod', 'copod', 'hbos', 'knn', 'lof'],
        defaultMethod: 'iforest',
        runsOn: expect.stringMatching(/^(worker thread|event loop \(.*\))$/),
      },
    });
  });
});

/** A PLUGIN_INPUT_INVALID refusal from pyod whose message contains `text`. */
const refused = (text: string | RegExp) => ({
  code: 'PLUGIN_INPUT_INVALID',
  plugin: 'pyod',
  message: typeof text === 'string' ? expect.stringContaining(text) : expect.stringMatching(text),
});

describe.each(['iforest', 'ecod', 'copod', 'hbos', 'knn', 'lof'] as const)(
  '%s: the edge cases a user hits',
  (method) => {
    Logger.overrideLogger(false);
    /** A method's params for `rows` rows: KNN and LOF need fewer neighbours than rows on tiny data. */
    const paramsFor = (rows: number) => ({
      method,
      ...(method === 'knn' || method === 'lof' ? { nNeighbors: Math.min(5, rows - 1) } : {}),
    });

    it('refuses one row: nothing to compare it with', async () => {
      const plugin = await initializedPlugin();
      await expect(plugin.fitPredict([[1, 2]], { method })).rejects.toMatchObject(
        refused('plugin "pyod" cannot fit: data has 1 row; at least 2 needed'),
      );
    });

    it('scores two identical rows alike and labels neither', async () => {
      const plugin = await initializedPlugin();
      const result = await plugin.fitPredict(
        [
          [1, 2],
          [1, 2],
        ],
        paramsFor(2),
      );
      expect(result.scores[0]).toBe(result.scores[1]);
      expect(result.labels).toEqual([0, 0]);
    });

    it('ranks the rows the same with a constant column added (it tells no row apart)', async () => {
      const plugin = await initializedPlugin();
      const { data } = blobsWithOutliers(21, 80, 4, 3);
      const plain = await plugin.fitPredict(data, paramsFor(data.length));
      const withConstant = await plugin.fitPredict(
        data.map((row) => [...row, 7]),
        paramsFor(data.length),
      );
      expect(withConstant.labels).toEqual(plain.labels);
      // The constant column adds the same amount to every score (nothing, for all but HBOS).
      const shift = withConstant.scores[0] - plain.scores[0];
      withConstant.scores.forEach((score, i) => expect(score - plain.scores[i]).toBeCloseTo(shift, 9));
    });

    it('gives every row one score and labels none when all columns are constant', async () => {
      const plugin = await initializedPlugin();
      const rows = Array.from({ length: 20 }, () => [3, -1, 0]);
      const result = await plugin.fitPredict(rows, paramsFor(rows.length));
      expect(new Set(result.scores).size).toBe(1);
      expect(Number.isFinite(result.scores[0])).toBe(true);
      expect(result.threshold).toBe(result.scores[0]);
      expect(result.labels.every((label) => label === 0)).toBe(true);
    });

    it('finds the far value in one column', async () => {
      const plugin = await initializedPlugin();
      const rows = [...Array.from({ length: 39 }, (_, i) => [Math.sin(i) * 2]), [40]];
      const result = await plugin.fitPredict(rows, { ...paramsFor(rows.length), contamination: 0.1 });
      // The top score (ECOD, being rank-based, gives the lowest value the same one, as PyOD's does).
      expect(result.scores[39]).toBe(Math.max(...result.scores));
      expect(result.labels[39]).toBe(1);
    });

    it('handles 1 000 columns: the shifted row scores highest; predict refuses 999', async () => {
      const plugin = await initializedPlugin();
      const rows = Array.from({ length: 40 }, (_, r) =>
        Array.from({ length: 1000 }, (_, j) => ((r * 31 + j * 17) % 11) + (r === 39 ? 30 : 0)),
      );
      const result = await plugin.fitPredict(rows, { ...paramsFor(rows.length), contamination: 0.05 });
      expect(result.scores.indexOf(Math.max(...result.scores))).toBe(39);
      const model = await plugin.fit(rows, paramsFor(rows.length));
      await expect(plugin.predict(model, [rows[0].slice(1)])).rejects.toMatchObject(
        refused('row 0 has 999 values, expected 1000'),
      );
    });

    it('takes contamination at both bounds (0.0001 and 0.5) and refuses values past them', async () => {
      const plugin = await initializedPlugin();
      const { data } = blobsWithOutliers(22, 60, 3, 2);
      const few = await plugin.fitPredict(data, { ...paramsFor(data.length), contamination: 0.0001 });
      expect(few.labels.filter((label) => label === 1)).toHaveLength(1); // only the very top score is above the 99.99th percentile
      const half = await plugin.fitPredict(data, { ...paramsFor(data.length), contamination: 0.5 });
      expect(half.threshold).toBeCloseTo(percentile(half.scores, 50), 12);
      for (const contamination of [0, 0.51, -0.1])
        await expect(plugin.fitPredict(data, { method, contamination })).rejects.toMatchObject(
          refused(/contamination must not be (greater|less) than/),
        );
    });

    it('refuses rows wider or narrower than the fitted model, naming the width', async () => {
      const plugin = await initializedPlugin();
      const { data } = blobsWithOutliers(5, 60, 0, 5);
      const model = await plugin.fit(data, paramsFor(data.length));
      for (const width of [3, 7]) {
        const rows = [Array.from({ length: width }, () => 1)];
        await expect(plugin.predict(model, rows)).rejects.toMatchObject(
          refused(new RegExp(`cannot predict: row 0 has ${width} values, expected 5.*fitted on 5 features`)),
        );
      }
      await expect(plugin.fit([[1, 2], [3]], { method })).rejects.toMatchObject(
        refused('row 1 has 1 value, expected 2'),
      );
    });

    it('refuses NaN and Infinity, in fit and in predict, naming row and column', async () => {
      const plugin = await initializedPlugin();
      const { data } = blobsWithOutliers(23, 30, 0, 2);
      for (const bad of [NaN, Infinity, -Infinity]) {
        await expect(plugin.fitPredict([...data, [1, bad]], paramsFor(data.length))).rejects.toMatchObject(
          refused(/cannot fit: row 30, column 1: .* is not a finite number/),
        );
        const model = await plugin.fit(data, paramsFor(data.length));
        await expect(plugin.predict(model, [[bad, 0]])).rejects.toMatchObject(
          refused(/cannot predict: row 0, column 0: .* is not a finite number/),
        );
      }
    });
  },
);
