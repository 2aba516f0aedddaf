import type { Matrix } from 'nestjs-plugin-host';
import { ecodDimensionScores, fitEcod, scoreEcod, type EcodModel } from './ecod.js';
import { fitIsolationForest, scoreIsolationForest, type IsolationForestModel } from './iforest.js';
import type { PyodConfig } from './pyod-config.js';
import { percentile } from './stats.js';

/** A fitted detector: what `fit` returns and `predict` takes. Plain data (JSON-serialisable). */
export type PyodModel = (IsolationForestModel | EcodModel) & { threshold: number; contamination: number };

/** What one fit uses: the config with that call's params over it. */
export type PyodSettings = Pick<PyodConfig, 'method' | 'contamination' | 'nEstimators' | 'maxSamples' | 'randomState'>;

/**
 * The detectors' work, as plain functions of plain data: they run in pyod's compute thread (or, where
 * there is none, on the caller's thread), so every input is already validated and nothing here touches
 * the plugin instance.
 */
export const COMPUTE = {
  fit(data: Matrix, settings: PyodSettings): PyodModel {
    const model =
      settings.method === 'ecod'
        ? fitEcod(data)
        : fitIsolationForest(data, { nEstimators: settings.nEstimators, maxSamples: settings.maxSamples, randomState: settings.randomState });
    // PyOD: threshold_ = percentile(decision_scores_, 100 * (1 - contamination)).
    return { ...model, threshold: percentile(score(model, data), 100 * (1 - settings.contamination)), contamination: settings.contamination };
  },

  score(model: PyodModel, data: Matrix): number[] {
    return score(model, data);
  },

  explain(model: PyodModel, data: Matrix): number[][] {
    if (model.method !== 'ecod') throw new RangeError('pyod explain needs an ECOD model: fit with { method: "ecod" }');
    return ecodDimensionScores(model, data);
  },
};

export type ComputeOperation = keyof typeof COMPUTE;

function score(model: IsolationForestModel | EcodModel, data: Matrix): number[] {
  return model.method === 'ecod' ? scoreEcod(model, data) : scoreIsolationForest(model, data);
}
