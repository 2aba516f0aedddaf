import type { Matrix } from '@nestjs-plugin-host/anomaly-contracts';
import { fitEcdf, outlierMatrixOf, scoresOf, trainingScores, type EcdfModel } from './ecod.js';
import { fitHbos, scoreHbos, type HbosModel } from './hbos.js';
import { fitIsolationForest, scoreIsolationForest, type IsolationForestModel } from './iforest.js';
import { fitKnn, knnTrainingScores, scoreKnn, type KnnModel } from './knn.js';
import { fitLof, lofTrainingScores, scoreLof, type LofModel } from './lof.js';
import type { PyodConfig } from './pyod-config.js';
import { percentile } from './stats.js';

/**
 * A fitted detector: what `fit` returns and `predict` takes. Plain data (structured-clonable, JSON-serialisable).
 * `width` is the number of features it was fitted on: rows of another width are refused.
 */
export type PyodModel = (IsolationForestModel | EcdfModel | HbosModel | KnnModel | LofModel) & {
  width: number;
  threshold: number;
  contamination: number;
};

/** What one fit uses: the config with that call's params over it. */
export type PyodSettings = Pick<
  PyodConfig,
  | 'method'
  | 'contamination'
  | 'nEstimators'
  | 'maxSamples'
  | 'randomState'
  | 'nBins'
  | 'alpha'
  | 'tol'
  | 'nNeighbors'
  | 'knnMethod'
>;

/** PyOD's n_neighbors defaults. */
const NEIGHBOURS = { knn: 5, lof: 20 };

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
    const { model, scores } = fitted(data, settings);
    if (!model) throw new Error(`pyod: ${settings.method} kept no model`); // fitted keeps one unless told not to
    const threshold = percentile(scores, 100 * (1 - settings.contamination));
    return { model: { ...model, width: data[0].length, threshold, contamination: settings.contamination }, scores };
  },

  /** `fit` then the training rows' scores, without the model: nothing to copy back but the scores (a KNN or LOF model holds every row). */
  fitPredict(data: Matrix, settings: PyodSettings): { scores: number[]; threshold: number } {
    const { scores } = fitted(data, settings, false);
    return { scores, threshold: percentile(scores, 100 * (1 - settings.contamination)) };
  },

  /** PyOD's `decision_function` of new rows. */
  score(model: PyodModel, data: Matrix): number[] {
    switch (model.method) {
      case 'iforest':
        return scoreIsolationForest(model, data);
      case 'hbos':
        return scoreHbos(model, data);
      case 'knn':
        return scoreKnn(model, data);
      case 'lof':
        return scoreLof(model, data);
      default:
        return scoresOf(model, data);
    }
  },

  /** ECOD and COPOD: PyOD's per-feature outlier scores `O` of new rows (their sum is the score). */
  explain(model: PyodModel, data: Matrix): number[][] {
    if (model.method !== 'ecod' && model.method !== 'copod')
      throw new RangeError(
        'pyod explain needs an ECOD or COPOD model: fit with { method: "ecod" } or { method: "copod" }',
      );
    return outlierMatrixOf(model, data);
  },
};

export type ComputeOperation = keyof typeof COMPUTE;

/** A method's model (unless `keepModel` is false and the scores need none) and the training rows' own scores (PyOD's decision_scores_). */
function fitted(
  data: Matrix,
  settings: PyodSettings,
  keepModel = true,
): { model?: IsolationForestModel | EcdfModel | HbosModel | KnnModel | LofModel; scores: number[] } {
  switch (settings.method) {
    case 'iforest': {
      const model = fitIsolationForest(data, {
        nEstimators: settings.nEstimators,
        maxSamples: settings.maxSamples,
        randomState: settings.randomState,
      });
      return { model, scores: scoreIsolationForest(model, data) };
    }
    case 'hbos': {
      const model = fitHbos(data, { nBins: settings.nBins, alpha: settings.alpha, tol: settings.tol });
      return { model, scores: scoreHbos(model, data) };
    }
    case 'knn': {
      const model = fitKnn(data, { nNeighbors: settings.nNeighbors ?? NEIGHBOURS.knn, method: settings.knnMethod });
      return { model, scores: knnTrainingScores(model) };
    }
    case 'lof': {
      const model = fitLof(data, { nNeighbors: settings.nNeighbors ?? NEIGHBOURS.lof });
      return { model, scores: lofTrainingScores(model) };
    }
    default:
      return {
        model: keepModel ? fitEcdf(data, settings.method) : undefined,
        scores: trainingScores(settings.method, data),
      };
  }
}
