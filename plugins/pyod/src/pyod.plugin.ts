import {
  PluginType,
  matrixProblems,
  type AlgorithmPlugin,
  type DetectionResult,
  type Matrix,
} from '@nestjs-plugin-host/anomaly-contracts';
import {
  Plugin,
  PluginError,
  PluginErrorCode,
  schemaProblems,
  type PluginContext,
  type PluginHealth,
} from 'nestjs-plugin-host';
import { ComputeThread } from './compute-thread.js';
import type { COMPUTE, ComputeOperation, PyodModel, PyodSettings } from './compute.js';
import { ModelStore } from './model-store.js';
import { ModelsController } from './models.controller.js';
import { PYOD_METHODS, PyodConfig } from './pyod-config.js';

export type { PyodModel } from './compute.js';

/** What `fit` accepts per call; anything omitted comes from the plugin's config. */
export type PyodParams = Partial<Pick<PyodConfig, (typeof PYOD_PARAMS)[number]>>;

/** The config keys a `fit` call may override; each is checked by the config's own rules and caps. */
export const PYOD_PARAMS = [
  'method',
  'contamination',
  'nEstimators',
  'maxSamples',
  'randomState',
  'nBins',
  'alpha',
  'tol',
  'nNeighbors',
  'knnMethod',
] as const;

/**
 * PyOD-style unsupervised outlier detection: Isolation Forest, ECOD, COPOD, HBOS, KNN and LOF. As in
 * PyOD, `fit` learns on data and sets the threshold so that `contamination` of
 * the training rows score above it; `predict` scores rows (higher = more
 * anomalous) and labels those above the threshold 1. The detectors run in the
 * plugin's own worker thread: a long fit does not hold the host's event loop.
 */
@Plugin({
  name: 'pyod',
  type: PluginType.ALGORITHM,
  version: '2.0.0',
  description: 'Isolation Forest, ECOD, COPOD, HBOS, KNN and LOF outlier detectors with PyOD semantics',
  compatibility: '^0.1.0',
  configSchema: PyodConfig,
  // Routes: POST /plugins/pyod/fit, POST /plugins/pyod/score, GET /plugins/pyod/models, DELETE …/models/:id.
  controllers: [ModelsController],
  providers: [ModelStore],
  exports: [ModelStore],
})
export class PyodPlugin implements AlgorithmPlugin<PyodConfig, PyodModel> {
  private config = new PyodConfig();
  private readonly compute = new ComputeThread();

  initialize(config: PyodConfig, ctx: PluginContext<PyodConfig>): void {
    this.config = config;
    this.compute.timeoutMs = config.callTimeoutMs;
    ctx.logger.log(
      `default method ${config.method}, contamination ${config.contamination}; detectors run on the ${this.compute.where}`,
    );
  }

  healthCheck(): PluginHealth {
    return {
      status: 'up',
      details: { methods: [...PYOD_METHODS], defaultMethod: this.config.method, runsOn: this.compute.where },
    };
  }

  cleanup(): Promise<void> {
    return this.compute.close();
  }

  async fit(data: Matrix, params: PyodParams = {}): Promise<PyodModel> {
    return (await this.run('fit', data, this.fitSettings(data, params))).model;
  }

  /** PyOD's `fit` then `decision_scores_` and `labels_`: the training rows' own scores (what scoring the data fitted on means). */
  async fitPredict(data: Matrix, params: PyodParams = {}): Promise<DetectionResult> {
    const { scores, threshold } = await this.run('fitPredict', data, this.fitSettings(data, params));
    return labelled(threshold, scores);
  }

  /** PyOD's `decision_function` of new rows, labelled by the model's threshold. ECOD and COPOD score a batch pooled with the training data, as PyOD does. */
  async predict(model: PyodModel, data: Matrix): Promise<DetectionResult> {
    this.checkRows('predict', model, data);
    return labelled(model.threshold, await this.run('score', model, data));
  }

  /** ECOD and COPOD: each feature's contribution to each row's score (PyOD's per-feature outlier scores O). */
  async explain(model: PyodModel, data: Matrix): Promise<number[][]> {
    if (model.method !== 'ecod' && model.method !== 'copod')
      throw inputInvalid(
        'explain',
        `explain needs an ECOD or COPOD model, not ${model.method}: fit with { method: "ecod" } or { method: "copod" }`,
      );
    this.checkRows('explain', model, data);
    return this.run('explain', model, data);
  }

  getHyperparameterSpace(): Record<string, unknown> {
    return {
      method: { type: 'categorical', values: [...PYOD_METHODS] },
      contamination: { type: 'float', min: 0.0001, max: 0.5, default: this.config.contamination },
      nEstimators: { type: 'int', min: 1, max: 10_000, default: this.config.nEstimators, methods: ['iforest'] },
      maxSamples: { type: 'int', min: 2, default: this.config.maxSamples, methods: ['iforest'] },
      randomState: { type: 'int', default: this.config.randomState, methods: ['iforest'] },
      nBins: { type: 'int', min: 2, max: 10_000, default: this.config.nBins, methods: ['hbos'] },
      alpha: { type: 'float', min: 1e-12, max: 1, default: this.config.alpha, methods: ['hbos'] },
      tol: { type: 'float', min: 0, max: 1000, default: this.config.tol, methods: ['hbos'] },
      nNeighbors: {
        type: 'int',
        min: 1,
        max: 1000,
        default: this.config.nNeighbors ?? { knn: 5, lof: 20 },
        methods: ['knn', 'lof'],
      },
      knnMethod: {
        type: 'categorical',
        values: ['largest', 'mean', 'median'],
        default: this.config.knnMethod,
        methods: ['knn'],
      },
    };
  }

  /** What a fit of `data` uses, the config under the call's params, once both are checked. */
  private fitSettings(data: Matrix, params: PyodParams): PyodSettings {
    const problems = [...this.validateParameters(params), ...matrixProblems(data, { minRows: 2 })];
    if (problems.length > 0) throw inputInvalid('fit', problems.join('; '));
    const { method, contamination, nEstimators, maxSamples, randomState, nBins, alpha, tol, nNeighbors, knnMethod } = {
      ...this.config,
      ...params,
    };
    return { method, contamination, nEstimators, maxSamples, randomState, nBins, alpha, tol, nNeighbors, knnMethod };
  }

  /** Rows must be finite numbers, as many per row as the model was fitted on (scikit-learn refuses other widths too). */
  private checkRows(operation: string, model: PyodModel, data: Matrix): void {
    const problems = matrixProblems(data, { columns: model.width });
    if (problems.length > 0)
      throw inputInvalid(operation, `${problems.join('; ')} (the model was fitted on ${model.width} features)`);
  }

  /** Runs a detector in the compute thread; a detector's RangeError (bad input it found: too few rows for nNeighbors) becomes PLUGIN_INPUT_INVALID. */
  private async run<K extends ComputeOperation>(
    operation: K,
    ...args: Parameters<(typeof COMPUTE)[K]>
  ): Promise<ReturnType<(typeof COMPUTE)[K]>> {
    try {
      return await this.compute.run(operation, ...args);
    } catch (error) {
      throw error instanceof RangeError
        ? inputInvalid(operation === 'fitPredict' ? 'fit' : operation, error.message)
        : error;
    }
  }

  /** The problems with `params` as `fit` params: the config schema's rules and caps (`PyodConfig`), for the keys in `PYOD_PARAMS`. */
  validateParameters(params: Record<string, unknown>): string[] {
    return schemaProblems(PyodConfig, params, { keys: PYOD_PARAMS });
  }
}

/** The caller's data or params cannot be used: PLUGIN_INPUT_INVALID (400 through the library's PluginErrorFilter). */
function inputInvalid(operation: string, problems: string): PluginError {
  return new PluginError(PluginErrorCode.INPUT_INVALID, `plugin "pyod" cannot ${operation}: ${problems}`, {
    plugin: 'pyod',
    details: { operation },
  });
}

function labelled(threshold: number, scores: number[]): DetectionResult {
  return { scores, labels: scores.map((s) => (s > threshold ? 1 : 0)), threshold };
}
