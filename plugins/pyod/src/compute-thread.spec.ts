import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { blobsWithOutliers } from '../../../test/support/detection-data.js';
import { COMPUTE } from './compute.js';
import { ComputeThread } from './compute-thread.js';
import { PyodConfig } from './pyod-config.js';

// The thread runs the built entry (dist/compute-worker.js): `npm test` builds first.
const BUILT = new URL('../dist/compute-worker.js', import.meta.url);
/** Fit settings: the config's defaults with `overrides`. */
const settingsWith = <T extends object>(overrides: T) => ({ ...new PyodConfig(), ...overrides });

describe('ComputeThread', () => {
  const thread = new ComputeThread(BUILT);
  afterAll(() => thread.close());

  it('runs in a worker thread when the entry is built', () => {
    expect(existsSync(fileURLToPath(BUILT))).toBe(true);
    expect(thread.where).toBe('worker thread');
  });

  it('gives results identical to the same code run on the caller’s thread (fit, score, explain)', async () => {
    const { data } = blobsWithOutliers(12, 300, 10, 3);
    for (const method of ['iforest', 'ecod', 'copod', 'hbos', 'knn', 'lof'] as const) {
      const settings = settingsWith({ method, contamination: 0.05, nEstimators: 50, maxSamples: 128, randomState: 3 });
      const fitted = await thread.run('fit', data, settings);
      expect(fitted).toEqual(COMPUTE.fit(data, settings));
      const { model } = fitted;
      expect(await thread.run('score', model, data)).toEqual(COMPUTE.score(model, data));
      if (method === 'ecod' || method === 'copod')
        expect(await thread.run('explain', model, data.slice(0, 20))).toEqual(
          COMPUTE.explain(model, data.slice(0, 20)),
        );
      expect(await thread.run('fitPredict', data, settings)).toEqual({
        scores: fitted.scores,
        threshold: model.threshold,
      });
    }
  });

  it('leaves the caller’s rows as they were (they cross as a copy packed into one buffer)', async () => {
    const { data } = blobsWithOutliers(13, 3000, 30, 4);
    const before = structuredClone(data);
    const settings = settingsWith({ method: 'ecod' as const, contamination: 0.1 });
    expect(await thread.run('fitPredict', data, settings)).toEqual(COMPUTE.fitPredict(data, settings));
    expect(data).toEqual(before);
  });

  it('rejects with the error the detector threw, keeping RangeError (bad input) apart', async () => {
    const { data } = blobsWithOutliers(2, 50, 0);
    const { model } = await thread.run(
      'fit',
      data,
      settingsWith({ method: 'iforest', contamination: 0.1, nEstimators: 5, maxSamples: 16, randomState: 1 }),
    );
    const failure = thread.run('explain', model, data);
    await expect(failure).rejects.toThrow(RangeError);
    await expect(failure).rejects.toThrow(/needs an ECOD or COPOD model/);
  });

  it('rejects calls in flight when closed, and starts a new thread on the next call', async () => {
    const { data } = blobsWithOutliers(4, 2000, 0);
    const inFlight = thread.run(
      'fit',
      data,
      settingsWith({ method: 'iforest', contamination: 0.1, nEstimators: 2000, maxSamples: 256, randomState: 1 }),
    );
    await thread.close();
    await expect(inFlight).rejects.toThrow(/pyod was stopped/);
    const small = blobsWithOutliers(5, 20, 0).data;
    expect(
      await thread.run(
        'score',
        (
          await thread.run(
            'fit',
            small,
            settingsWith({ method: 'ecod', contamination: 0.1, nEstimators: 1, maxSamples: 2, randomState: 1 }),
          )
        ).model,
        small,
      ),
    ).toHaveLength(20);
  });

  it('stops a call that runs past its timeout with PLUGIN_TIMEOUT; the calls queued behind it run in a new thread', async () => {
    const slow = new ComputeThread(BUILT, 200);
    try {
      const { data } = blobsWithOutliers(8, 3000, 0);
      const small = blobsWithOutliers(9, 20, 0).data;
      const settings = settingsWith({
        method: 'ecod' as const,
        contamination: 0.1,
        nEstimators: 1,
        maxSamples: 2,
        randomState: 1,
      });
      const long = slow.run(
        'fit',
        data,
        settingsWith({ method: 'iforest', contamination: 0.1, nEstimators: 10_000, maxSamples: 256, randomState: 1 }),
      );
      const queued = slow.run('fit', small, settings);
      await expect(long).rejects.toMatchObject({
        code: 'PLUGIN_TIMEOUT',
        message: expect.stringMatching(/fit ran longer than 200 ms and was stopped/),
      });
      expect(await queued).toEqual(COMPUTE.fit(small, settings));
    } finally {
      await slow.close();
    }
  });

  it('runs on the caller’s thread where its entry is not built (TypeScript sources)', async () => {
    const fromSources = new ComputeThread(new URL('./compute-worker.js', import.meta.url));
    expect(fromSources.where).toMatch(/^event loop \(.*is not built\)$/);
    const { data } = blobsWithOutliers(6, 30, 0);
    const settings = settingsWith({
      method: 'ecod' as const,
      contamination: 0.1,
      nEstimators: 1,
      maxSamples: 2,
      randomState: 1,
    });
    expect(await fromSources.run('fit', data, settings)).toEqual(COMPUTE.fit(data, settings));
    await fromSources.close();
  });
});
