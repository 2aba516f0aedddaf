import { fileURLToPath } from 'node:url';
import {
  PluginType,
  assertMatrix,
  type AlgorithmPlugin,
  type DetectionResult,
  type Matrix,
} from '@nestjs-plugin-host/anomaly-contracts';
import { Plugin, schemaProblems, type PluginContext, type PluginHealth } from 'nestjs-plugin-host';
import { DEFAULT_PYTHONS, findPython, installAdvice, type PythonFound } from './find-python.js';
import { PythonCallError, PythonWorker } from './python-worker.js';
import { SKLEARN_METHODS, SklearnConfig, type SklearnMethod } from './sklearn-config.js';

/** The worker script, shipped beside `dist` in the package. */
export const WORKER_SCRIPT = fileURLToPath(new URL('../python/sklearn_worker.py', import.meta.url));

/** A model fitted in the Python process: the host keeps only its id. */
export interface SklearnModel {
  id: number;
  method: SklearnMethod;
  threshold: number;
  columns: number;
}

/** What `fit` accepts per call; anything omitted comes from the config. */
export type SklearnParams = Partial<
  Pick<SklearnConfig, 'method' | 'contamination' | 'nEstimators' | 'nNeighbors' | 'randomState'>
>;

const PARAMS = ['method', 'contamination', 'nEstimators', 'nNeighbors', 'randomState'] as const;

/**
 * scikit-learn's IsolationForest, OneClassSVM and LocalOutlierFactor, run in one
 * long-lived Python child process (JSON lines over stdio), restarted if it dies.
 * Scores follow PyOD: higher = more anomalous; the threshold leaves
 * `contamination` of the training rows above it.
 */
@Plugin({
  name: 'sklearn',
  type: PluginType.ALGORITHM,
  version: '1.0.0',
  description: 'scikit-learn IsolationForest, OneClassSVM and LocalOutlierFactor in a Python process',
  compatibility: '^0.1.0',
  configSchema: SklearnConfig,
  // Python's first import of scikit-learn can take seconds on a cold disk.
  timeouts: { initialize: 60_000, healthCheck: 10_000 },
})
export class SklearnPlugin implements AlgorithmPlugin<SklearnConfig, SklearnModel> {
  private config = new SklearnConfig();
  private python?: PythonFound;
  private worker?: PythonWorker;

  /** Finds a Python that can import scikit-learn; says how to install one when there is none. */
  async checkRequirements(ctx: PluginContext<SklearnConfig>): Promise<string | undefined> {
    const search = await findPython(ctx.config.pythonPath ? [ctx.config.pythonPath] : DEFAULT_PYTHONS);
    if (!search.found) return installAdvice(search);
    this.python = search.found;
    return undefined;
  }

  async initialize(config: SklearnConfig, ctx: PluginContext<SklearnConfig>): Promise<void> {
    this.config = config;
    if (!this.python) {
      const problem = await this.checkRequirements(ctx);
      if (problem) throw new Error(problem);
    }
    const python = this.python;
    if (!python) throw new Error('no Python with scikit-learn was found');
    this.worker = new PythonWorker(python.executable, WORKER_SCRIPT, config.callTimeoutMs);
    const hello = await this.worker.call<{ sklearn: string; python: string }>('hello');
    ctx.logger.log(
      `scikit-learn ${hello.sklearn} on Python ${hello.python} (${python.executable}), pid ${this.worker.pid}`,
    );
  }

  async healthCheck(): Promise<PluginHealth> {
    const worker = this.requireWorker();
    const hello = await worker.call<Record<string, string>>('hello');
    return { status: 'up', details: { ...hello, pid: worker.pid, restarts: worker.starts - 1 } };
  }

  async cleanup(): Promise<void> {
    await this.worker?.close();
  }

  async fit(data: Matrix, params: SklearnParams = {}): Promise<SklearnModel> {
    const problems = this.validateParameters(params);
    if (problems.length > 0) throw new RangeError(`sklearn cannot fit: ${problems.join('; ')}`);
    assertMatrix(data, 'sklearn cannot fit', { minRows: 2 });
    const settings = { ...this.config, ...params };
    const { model, threshold, columns } = await this.callPython<{ model: number; threshold: number; columns: number }>(
      'fit',
      'fit',
      {
        method: settings.method,
        data,
        params: {
          contamination: settings.contamination,
          nEstimators: settings.nEstimators,
          nNeighbors: settings.nNeighbors,
          randomState: settings.randomState,
        },
      },
    );
    return { id: model, method: settings.method, threshold, columns };
  }

  async predict(model: SklearnModel, data: Matrix): Promise<DetectionResult> {
    assertMatrix(data, 'sklearn cannot predict', { columns: model.columns });
    return this.callPython<DetectionResult>('predict', 'predict', { model: model.id, data });
  }

  getHyperparameterSpace(): Record<string, unknown> {
    return {
      method: { type: 'categorical', values: [...SKLEARN_METHODS], default: this.config.method },
      contamination: { type: 'float', min: 0.0001, max: 0.5, default: this.config.contamination },
      nEstimators: {
        type: 'int',
        min: 1,
        max: 10_000,
        default: this.config.nEstimators,
        methods: ['isolation-forest'],
      },
      nNeighbors: {
        type: 'int',
        min: 1,
        max: 1_000,
        default: this.config.nNeighbors,
        methods: ['local-outlier-factor'],
      },
      randomState: { type: 'int', default: this.config.randomState, methods: ['isolation-forest'] },
    };
  }

  /** The problems with `params` as `fit` params: the config schema's rules and caps (`SklearnConfig`), for the keys in `PARAMS`. */
  validateParameters(params: Record<string, unknown>): string[] {
    return schemaProblems(SklearnConfig, params, { keys: PARAMS });
  }

  private requireWorker(): PythonWorker {
    if (!this.worker) throw new Error('sklearn is not initialized');
    return this.worker;
  }

  /** A Python-side error about the input (bad shape, unknown model) is a `RangeError`, like other input errors. */
  private async callPython<T>(op: string, what: string, payload: Record<string, unknown>): Promise<T> {
    try {
      return await this.requireWorker().call<T>(op, payload);
    } catch (error) {
      if (error instanceof PythonCallError)
        throw new RangeError(`sklearn cannot ${what}: ${error.message}`, { cause: error });
      throw error;
    }
  }
}
