import { IsNumber, Min } from 'class-validator';
import {
  PluginType,
  type AlgorithmPlugin,
  type DetectionResult,
  type Matrix,
} from '@nestjs-plugin-host/anomaly-contracts';
import { Plugin, type PluginContext, type PluginHealth } from 'nestjs-plugin-host';

export class ZScoreConfig {
  @IsNumber()
  @Min(0)
  threshold = 3; // default: |z| above 3 is an anomaly
}

interface ZScoreModel {
  means: number[];
  deviations: number[];
}

@Plugin({
  name: 'zscore',
  type: PluginType.ALGORITHM,
  version: '1.0.0',
  compatibility: '^0.1.0',
  configSchema: ZScoreConfig,
})
export class ZScorePlugin implements AlgorithmPlugin<ZScoreConfig, ZScoreModel> {
  private threshold = 3;

  initialize(config: ZScoreConfig, ctx: PluginContext<ZScoreConfig>): void {
    this.threshold = config.threshold;
    ctx.logger.log(`threshold ${config.threshold}`);
  }

  healthCheck(): PluginHealth {
    return { status: 'up', details: { threshold: this.threshold } };
  }

  fit(data: Matrix): ZScoreModel {
    const columns = data[0].map((_, j) => data.map((row) => row[j]));
    const means = columns.map((c) => c.reduce((a, b) => a + b, 0) / c.length);
    const deviations = columns.map((c, j) => Math.sqrt(c.reduce((a, v) => a + (v - means[j]) ** 2, 0) / c.length) || 1);
    return { means, deviations };
  }

  predict(model: ZScoreModel, data: Matrix): DetectionResult {
    const scores = data.map((row) =>
      Math.max(...row.map((v, j) => Math.abs(v - model.means[j]) / model.deviations[j])),
    );
    return { scores, labels: scores.map((s) => (s > this.threshold ? 1 : 0)), threshold: this.threshold };
  }
}
