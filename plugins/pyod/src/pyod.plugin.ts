import {
  Plugin,
  PluginType,
  matrixProblems,
  type AlgorithmPlugin,
  type DetectionResult,
  type Matrix,
  type PluginContext,
  type PluginHealth,
} from 'nestjs-plugin-host';
import { ecodDimensionScores, fitEcod, scoreEcod, type EcodModel } from './ecod.js';
import { fitIsolationForest, scoreIsolationForest, type IsolationForestModel } from './iforest.js';
import { PYOD_METHODS, PyodConfig, type PyodMethod } from './pyod-config.js';
import { percentile } from './stats.js';

/** A fitted detector: what `fit` returns and `predict` takes. Plain data (JSON-serialisable). */
export type PyodModel = (IsolationForestModel | EcodModel) & { threshold: number; contamination: number };

/** What `fit` accepts per call; anything omitted comes from the plugin's config. */
export type PyodParams = Partial<PyodConfig>;

/**
 * PyOD-style unsupervised outlier detection: Isolation Forest and ECOD. As in
 * PyOD, `fit` learns on data and sets the threshold so that `contamination` of
 * the training rows score above it; `predict` scores rows (higher = more
 * anomalous) and labels those above the threshold 1.
 */
@Plugin({
  name: 'pyod',
  type: PluginType.ALGORITHM,
  version: '1.2.0',
  description: 'Isolation Forest and ECOD outlier detectors with PyOD semantics',
  compatibility: '^0.1.0',
  configSchema: PyodConfig,
})
export class PyodPlugin implements AlgorithmPlugin<PyodConfig, PyodModel> {
  private config = new PyodConfig();

  initialize(config: PyodConfig, ctx: PluginContext<PyodConfig>): void {
    this.config = config;
    ctx.logger.log(`default method ${config.method}, contamination ${config.contamination}`);
  }

  healthCheck(): PluginHealth {
    return { status: 'up', details: { methods: [...PYOD_METHODS], defaultMethod: this.config.method } };
  }

  fit(data: Matrix, params: PyodParams = {}): PyodModel {
    const problems = [...this.validateParameters(params), ...matrixProblems(data, { minRows: 2 })];
    if (problems.length > 0) throw new RangeError(`pyod cannot fit: ${problems.join('; ')}`);
    const settings = { ...this.config, ...params };
    const model =
      settings.method === 'ecod'
        ? fitEcod(data)
        : fitIsolationForest(data, { nEstimators: settings.nEstimators, maxSamples: settings.maxSamples, randomState: settings.randomState });
    const scores = score(model, data);
    // PyOD: threshold_ = percentile(decision_scores_, 100 * (1 - contamination)).
    return { ...model, threshold: percentile(scores, 100 * (1 - settings.contamination)), contamination: settings.contamination };
  }

  predict(model: PyodModel, data: Matrix): DetectionResult {
    const problems = matrixProblems(data, { columns: model.method === 'ecod' ? model.columns.length : undefined });
    if (problems.length > 0) throw new RangeError(`pyod cannot predict: ${problems.join('; ')}`);
    const scores = score(model, data);
    return { scores, labels: scores.map((s) => (s > model.threshold ? 1 : 0)), threshold: model.threshold };
  }

  /** ECOD only: each feature's contribution to each row's score (the per-feature outlier score O). */
  explain(model: PyodModel, data: Matrix): number[][] {
    if (model.method !== 'ecod') throw new RangeError('pyod explain needs an ECOD model: fit with { method: "ecod" }');
    return ecodDimensionScores(model, data);
  }

  getHyperparameterSpace(): Record<string, unknown> {
    return {
      method: { type: 'categorical', values: [...PYOD_METHODS] },
      contamination: { type: 'float', min: 0.0001, max: 0.5, default: this.config.contamination },
      nEstimators: { type: 'int', min: 1, max: 10_000, default: this.config.nEstimators, methods: ['iforest'] },
      maxSamples: { type: 'int', min: 2, default: this.config.maxSamples, methods: ['iforest'] },
      randomState: { type: 'int', default: this.config.randomState, methods: ['iforest'] },
    };
  }

  validateParameters(params: Record<string, unknown>): string[] {
    const problems: string[] = [];
    const known = new Set(['method', 'contamination', 'nEstimators', 'maxSamples', 'randomState']);
    for (const key of Object.keys(params)) if (!known.has(key)) problems.push(`unknown parameter "${key}" (known: ${[...known].join(', ')})`);
    const { method, contamination, nEstimators, maxSamples, randomState } = params;
    if (method !== undefined && !PYOD_METHODS.includes(method as PyodMethod)) problems.push(`method must be one of ${PYOD_METHODS.join(', ')}`);
    if (contamination !== undefined && !(typeof contamination === 'number' && contamination > 0 && contamination <= 0.5)) {
      problems.push('contamination must be a number in (0, 0.5]');
    }
    const isInt = (v: unknown, min: number): boolean => Number.isInteger(v) && (v as number) >= min;
    if (nEstimators !== undefined && !isInt(nEstimators, 1)) problems.push('nEstimators must be an integer ≥ 1');
    if (maxSamples !== undefined && !isInt(maxSamples, 2)) problems.push('maxSamples must be an integer ≥ 2');
    if (randomState !== undefined && !Number.isInteger(randomState)) problems.push('randomState must be an integer');
    return problems;
  }
}

function score(model: IsolationForestModel | EcodModel, data: Matrix): number[] {
  return model.method === 'ecod' ? scoreEcod(model, data) : scoreIsolationForest(model, data);
}
