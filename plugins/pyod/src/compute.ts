import type { Matrix } from 'nestjs-plugin-host';
import { fitEcdf, outlierMatrixOf, scoresOf, trainingScores, type EcdfModel } from './ecod.js';
import { fitIsolationForest, scoreIsolationForest, type IsolationForestModel } from './iforest.js';
import type { PyodConfig } from './pyod-config.js';
import { percentile } from './stats.js';

/**
 * A fitted detector: what `fit` returns and `predict` takes. Plain data (structured-clonable, JSON-serialisable).
 * `width` is the number of features it was fitted on: rows of another width are refused.
 */
export type PyodModel = (IsolationForestModel | EcdfModel) & { width: number; threshold: number; contamination: number };

/** What one fit uses: the config with that call's params over it. */
export type PyodSettings = Pick<PyodConfig, 'method' | 'contamination' | 'nEstimators' | 'maxSamples' | 'randomState'>;

/** A fit's model and the training rows' own scores (PyOD's `decision_scores_`). */
export interface Fitted {
  model: PyodModel;
  scores: number[];
}

/**
 * The detectors' work, as plain functions of plain data: they run in pyod's compute thread (or, where
 * there is none, on the caller's thread), so every input is already validated and nothing here touches
 * the plugin instance.
 */
export const COMPUTE = {
  /** PyOD's `fit`: the model, with `threshold_` the (1 − contamination) percentile of the training rows' own scores. */
  fit(data: Matrix, settings: PyodSettings): Fitted {
    const model =
      settings.method === 'iforest'
        ? fitIsolationForest(data, { nEstimators: settings.nEstimators, maxSamples: settings.maxSamples, randomState: settings.randomState })
        : fitEcdf(data, settings.method);
    const scores = model.method === 'iforest' ? scoreIsolationForest(model, data) : trainingScores(model, data);
    const threshold = percentile(scores, 100 * (1 - settings.contamination));
    return { model: { ...model, width: data[0].length, threshold, contamination: settings.contamination }, scores };
  },

  /** PyOD's `decision_function` of new rows. */
  score(model: PyodModel, data: Matrix): number[] {
    return model.method === 'iforest' ? scoreIsolationForest(model, data) : scoresOf(model, data);
  },

  /** ECOD and COPOD: PyOD's per-feature outlier scores `O` of new rows (their sum is the score). */
  explain(model: PyodModel, data: Matrix): number[][] {
    if (model.method === 'iforest') throw new RangeError('pyod explain needs an ECOD or COPOD model: fit with { method: "ecod" } or "copod"');
    return outlierMatrixOf(model, data);
  },
};

export type ComputeOperation = keyof typeof COMPUTE;
