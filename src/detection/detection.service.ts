import { BadRequestException, Injectable } from '@nestjs/common';
import { PluginManager, PluginType, type AlgorithmPlugin } from 'nestjs-plugin-host';
import type { DetectRequest, DetectResponse } from './detect.dto.js';

/** Unsupervised detection: fit the named algorithm on the rows, then score them. */
@Injectable()
export class DetectionService {
  constructor(private readonly plugins: PluginManager) {}

  async detect({ algorithm, data, params = {} }: DetectRequest): Promise<DetectResponse> {
    const { type } = this.plugins.info(algorithm); // PLUGIN_NOT_FOUND → 404
    if (type !== PluginType.ALGORITHM) throw new BadRequestException(`plugin "${algorithm}" is a ${type} plugin, not an algorithm`);
    const detector = this.plugins.get<AlgorithmPlugin>(algorithm); // PLUGIN_DISABLED → 503
    const problems = detector.validateParameters?.(params) ?? [];
    if (problems.length > 0) throw new BadRequestException(problems.map((problem) => `params: ${problem}`));
    let result;
    try {
      result = await detector.predict(await detector.fit(data, params), data);
    } catch (error) {
      // Algorithms reject data they cannot use with a RangeError; anything else is a real 500.
      if (error instanceof RangeError) throw new BadRequestException(error.message);
      throw error;
    }
    return {
      algorithm,
      ...result,
      anomalies: result.labels.flatMap((label, i) => (label === 1 ? [i] : [])),
    };
  }
}
