import {
  PluginType,
  assertMatrix,
  matrixProblems,
  type DetectionResult,
  type Matrix,
  type ProcessingPlugin,
} from '@nestjs-plugin-host/anomaly-contracts';
import { Plugin, type PluginContext } from 'nestjs-plugin-host';
import { StandardScalerConfig } from './scaler-config.js';

/** Per-column statistics learnt by `fit`; plain data. */
export interface ScalerModel {
  means: number[];
  /** The divisor per column: the standard deviation, or 1 where it is 0 (a constant column) or `withStd` is off. */
  scales: number[];
}

/**
 * Standardizes features column by column, as scikit-learn's StandardScaler:
 * z = (x − mean) / std, with std computed with `ddof` and constant columns left
 * unscaled. `preprocess` fits and transforms in one go; `fit`, `transform` and
 * `inverseTransform` keep the statistics for new data.
 */
@Plugin({
  name: 'standard-scaler',
  type: PluginType.PROCESSING,
  version: '1.0.0',
  description: 'Per-column z-score scaling and input validation',
  compatibility: '^0.1.0',
  configSchema: StandardScalerConfig,
})
export class StandardScalerPlugin implements ProcessingPlugin<StandardScalerConfig> {
  private config = new StandardScalerConfig();

  initialize(config: StandardScalerConfig, _ctx: PluginContext<StandardScalerConfig>): void {
    this.config = config;
  }

  /** The problems in `data` (ragged rows, NaN, non-numbers), each with its row and column; empty when it is valid. */
  validate(data: Matrix): string[] {
    return matrixProblems(data, { maxProblems: 20 });
  }

  fit(data: Matrix): ScalerModel {
    assertMatrix(data, 'standard-scaler cannot fit', { maxProblems: 20 });
    const columns = data[0].length;
    const means = new Array<number>(columns).fill(0);
    const scales = new Array<number>(columns).fill(1);
    for (let c = 0; c < columns; c++) {
      let sum = 0;
      for (const row of data) sum += row[c];
      const mean = sum / data.length;
      means[c] = this.config.withMean ? mean : 0;
      if (!this.config.withStd) continue;
      let squares = 0;
      for (const row of data) squares += (row[c] - mean) ** 2;
      const n = data.length - this.config.ddof;
      const std = n > 0 ? Math.sqrt(squares / n) : 0;
      scales[c] = std > 0 ? std : 1;
    }
    return { means, scales };
  }

  transform(model: ScalerModel, data: Matrix): Matrix {
    assertMatrix(data, 'standard-scaler cannot transform', { columns: model.means.length, maxProblems: 20 });
    return data.map((row) => row.map((value, c) => (value - model.means[c]) / model.scales[c]));
  }

  inverseTransform(model: ScalerModel, data: Matrix): Matrix {
    assertMatrix(data, 'standard-scaler cannot inverse-transform', { columns: model.means.length, maxProblems: 20 });
    return data.map((row) => row.map((value, c) => value * model.scales[c] + model.means[c]));
  }

  /** Fits on `data` and returns it standardized. */
  preprocess(data: Matrix): Matrix {
    return this.transform(this.fit(data), data);
  }

  /** With `normalizeScores`: scores (and the threshold) min–max scaled to [0, 1]; labels unchanged. */
  postprocess(results: DetectionResult): DetectionResult {
    if (!this.config.normalizeScores || results.scores.length === 0) return results;
    const min = Math.min(...results.scores);
    const range = Math.max(...results.scores) - min;
    const scale = (score: number): number => (range > 0 ? Math.min(1, Math.max(0, (score - min) / range)) : 0);
    return { ...results, scores: results.scores.map(scale), threshold: scale(results.threshold) };
  }
}
