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
    const scores = async (randomState: number) => (await plugin.predict(await plugin.fit(data, { randomState }), data)).scores;
    const [a, b, c] = [await scores(1), await scores(1), await scores(2)];
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });

  it('takes its defaults from the config and lets fit params override them', async () => {
    const plugin = await initializedPlugin({ method: 'ecod', contamination: 0.2 });
    const { data } = blobsWithOutliers(4, 100, 0);
    expect(await plugin.fit(data)).toMatchObject({ method: 'ecod', contamination: 0.2 });
    expect(await plugin.fit(data, { method: 'iforest', nEstimators: 10 })).toMatchObject({ method: 'iforest', contamination: 0.2 });
  });

  it('explains ECOD scores per feature: the far feature carries the score', async () => {
    const plugin = await initializedPlugin({ method: 'ecod' });
    const { data } = blobsWithOutliers(6, 300, 0);
    const [contributions] = await plugin.explain(await plugin.fit(data), [[0, 60]]);
    expect(contributions[1]).toBeGreaterThan(contributions[0]);
    await expect(plugin.explain(await plugin.fit(data, { method: 'iforest' }), data)).rejects.toThrow(/needs an ECOD or COPOD model/);
  });

  it('rejects bad parameters and malformed data with a message that says what is wrong', async () => {
    const plugin = await initializedPlugin();
    expect(plugin.validateParameters({ contamination: 0.9, nEstimators: 0, colour: 'red' })).toEqual([
      'unknown parameter "colour" (known: method, contamination, nEstimators, maxSamples, randomState, nBins, alpha, tol, nNeighbors, knnMethod)',
      'contamination must not be greater than 0.5',
      'nEstimators must not be less than 1',
    ]);
    await expect(plugin.fit([[1, 2]])).rejects.toThrow('pyod cannot fit: data has 1 row; at least 2 needed');
    await expect(plugin.fit([[1, 2], [3]])).rejects.toThrow('row 1 has 1 value, expected 2');
    const model = await plugin.fit(
      [
        [1, 2],
        [2, 3],
        [3, 1],
      ],
      { method: 'ecod' },
    );
    await expect(plugin.predict(model, [[1, 2, 3]])).rejects.toThrow('row 0 has 3 values, expected 2');
  });

  for (const method of ['iforest', 'ecod', 'copod', 'hbos', 'knn', 'lof'] as const) {
    it(`${method}: refuses rows wider or narrower than the fitted model, naming the width`, async () => {
      const plugin = await initializedPlugin({ method });
      const { data } = blobsWithOutliers(5, 60, 0, 5);
      const model = await plugin.fit(data);
      for (const width of [3, 7]) {
        const rows = [Array.from({ length: width }, () => 1)];
        await expect(plugin.predict(model, rows)).rejects.toThrow(new RegExp(`row 0 has ${width} values, expected 5.*fitted on 5 features`));
      }
    });
  }

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
