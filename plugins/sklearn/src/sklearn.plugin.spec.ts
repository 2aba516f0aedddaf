import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { PluginManager } from 'nestjs-plugin-host';
import { blobsWithOutliers, rocAuc } from '../../../test/support/detection-data.js';
import { bootHost, type Host } from '../../../test/library/fixtures.js';
import { DEFAULT_PYTHONS, findPython, installAdvice } from './find-python.js';
import { SklearnConfig, SKLEARN_METHODS } from './sklearn-config.js';
import { SklearnPlugin } from './sklearn.plugin.js';

Logger.overrideLogger(false);
const search = await findPython(DEFAULT_PYTHONS);

function context(config: SklearnConfig) {
  return {
    name: 'sklearn',
    logger: new Logger('test'),
    signal: new AbortController().signal,
    config,
    get: () => {
      throw new Error('no host services in this test');
    },
  };
}

describe('sklearn without a usable Python', () => {
  it('checkRequirements says what to install', async () => {
    const config = Object.assign(new SklearnConfig(), { pythonPath: '/nonexistent/python3' });
    const problem = await new SklearnPlugin().checkRequirements(context(config));
    expect(problem).toContain('/nonexistent/python3: not found');
    expect(problem).toContain('apt-get install python3-sklearn');
    expect(problem).toContain('pip install scikit-learn');
  });

  it('is failed with PLUGIN_DEPENDENCY_MISSING while the host runs on', async () => {
    const host = await bootHost({
      plugins: [SklearnPlugin],
      config: { sklearn: { pythonPath: '/nonexistent/python3' } },
    });
    try {
      const info = host.moduleRef.get(PluginManager).info('sklearn');
      expect(info).toMatchObject({ state: 'failed', error: { code: 'PLUGIN_DEPENDENCY_MISSING' } });
      expect(info.error!.message).toContain('python3-sklearn');
    } finally {
      await host.close();
    }
  });
});

// Runs where scikit-learn is installed (.ci/run installs Debian's python3-sklearn); otherwise skipped, saying why.
const withPython = search.found ? describe : describe.skip;
withPython(
  search.found
    ? `sklearn on ${search.found.executable} (scikit-learn ${search.found.sklearn})`
    : `sklearn: SKIPPED, ${installAdvice(search)}`,
  () => {
    let host: Host;
    let sklearn: SklearnPlugin;
    beforeAll(async () => {
      host = await bootHost({ plugins: [SklearnPlugin] });
      sklearn = host.moduleRef.get(PluginManager).get<SklearnPlugin>('sklearn');
    }, 60_000);
    afterAll(() => host?.close());

    it.each(SKLEARN_METHODS)('%s ranks injected outliers above inliers (ROC-AUC > 0.9)', async (method) => {
      const { data, truth } = blobsWithOutliers(7);
      const model = await sklearn.fit(data, { method, contamination: 0.05 });
      const result = await sklearn.predict(model, data);
      expect(result.scores).toHaveLength(data.length);
      expect(rocAuc(result.scores, truth)).toBeGreaterThan(0.9);
      // The threshold leaves about `contamination` of the training rows above it.
      const flagged = result.labels.filter((label) => label === 1).length;
      expect(flagged / data.length).toBeGreaterThan(0.02);
      expect(flagged / data.length).toBeLessThan(0.08);
    });

    it('reports Python-side input errors as RangeError and refuses bad params', async () => {
      const model = await sklearn.fit(
        [
          [1, 2],
          [2, 3],
          [3, 4],
        ],
        { method: 'isolation-forest' },
      );
      await expect(sklearn.predict({ ...model, id: 9999 }, [[1, 2]])).rejects.toThrow(
        /sklearn cannot predict: model 9999 is not known/,
      );
      await expect(sklearn.predict(model, [[1, 2, 3]])).rejects.toThrow('row 0 has 3 values, expected 2');
      await expect(
        sklearn.fit(
          [
            [1, 2],
            [2, 3],
          ],
          { method: 'svm' as never },
        ),
      ).rejects.toThrow(/method must be one of/);
    });

    it('restarts the Python process when it dies, failing only the calls in flight', async () => {
      const health = await sklearn.healthCheck();
      expect(health).toMatchObject({ status: 'up', details: { sklearn: search.found!.sklearn } });
      const pid = health.details!.pid as number;
      const { data } = blobsWithOutliers(3, 200, 5);
      // Killed, and called before Node has seen it die: the call is in flight when the exit is noticed.
      process.kill(pid, 'SIGKILL');
      const inFlight = sklearn.fit(data, { method: 'one-class-svm' });
      await expect(inFlight).rejects.toThrow(/the Python worker exited \(SIGKILL\)/);
      const model = await sklearn.fit(data, { method: 'local-outlier-factor' });
      await expect(sklearn.predict(model, data.slice(0, 3))).resolves.toMatchObject({ labels: [0, 0, 0] });
      const after = await sklearn.healthCheck();
      expect(after.details!.pid).not.toBe(pid);
      expect(after.details!.restarts).toBe(1);
    });
  },
);
