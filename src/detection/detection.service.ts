import { BadRequestException, Injectable } from '@nestjs/common';
import { PluginType, type AlgorithmPlugin } from '@nestjs-plugin-host/anomaly-contracts';
import { PluginHooks, PluginManager } from 'nestjs-plugin-host';
import { withRequestInput } from '../plugins/plugin-input.js';
import type { DetectRequest, DetectResponse } from './detect.dto.js';

/** Unsupervised detection: fit the named algorithm on the rows, then score them. */
@Injectable()
export class DetectionService {
  constructor(
    private readonly plugins: PluginManager,
    private readonly hooks: PluginHooks,
  ) {}

  async detect({
    algorithm,
    data,
    params = {},
  }: Pick<DetectRequest, 'algorithm' | 'data' | 'params'>): Promise<DetectResponse> {
    const { type } = this.plugins.info(algorithm); // PLUGIN_NOT_FOUND → 404
    if (type !== PluginType.ALGORITHM)
      throw new BadRequestException(`plugin "${algorithm}" is a ${type} plugin, not an algorithm`);
    await this.plugins.load(algorithm); // a lazy plugin starts now; PLUGIN_DISABLED → 503
    const detector = this.plugins.get<AlgorithmPlugin>(algorithm);
    const problems = (await Promise.resolve(detector.validateParameters?.(params))) ?? []; // an isolated plugin answers asynchronously
    if (problems.length > 0) throw new BadRequestException(problems.map((problem) => `params: ${problem}`));
    await this.hooks.call('detection.started', { algorithm, rows: data.length });
    // Parsing and validating a large body was one task on the event loop: let waiting requests in before the detection starts.
    await new Promise((resolve) => setImmediate(resolve));
    // The rows' own scores as the detector sees its training data (PyOD's decision_scores_), where it can say.
    const result = await withRequestInput(async () =>
      detector.fitPredict
        ? detector.fitPredict(data, params)
        : detector.predict(await detector.fit(data, params), data),
    );
    const anomalies = result.labels.flatMap((label, i) => (label === 1 ? [i] : []));
    // Plugins react to results (json-report notifies a webhook); a failing hook never fails the request.
    await this.hooks.call('detection.completed', {
      algorithm,
      rows: data.length,
      anomalies,
      threshold: result.threshold,
    });
    return { algorithm, ...result, anomalies };
  }
}
