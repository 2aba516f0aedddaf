import { Injectable } from '@nestjs/common';
import type {
  AlgorithmPlugin,
  Matrix,
} from '@nestjs-plugin-host/anomaly-contracts';
import { InjectPlugin } from 'nestjs-plugin-host';
import { GreetingPlugin } from './greeting.plugin.js';

@Injectable()
export class AnomalyService {
  constructor(
    // Found by discovery: the installed @nestjs-plugin-host/pyod package.
    @InjectPlugin('pyod') private readonly pyod: AlgorithmPlugin,
    // Listed in PluginModule.forRoot({ plugins }).
    @InjectPlugin('greeting') private readonly greeting: GreetingPlugin,
  ) {}

  /** The rows pyod labels as outliers (ECOD, 10 % contamination). */
  async find(rows: Matrix) {
    const model = await this.pyod.fit(rows, { method: 'ecod' });
    const { labels } = await this.pyod.predict(model, rows);
    return {
      message: this.greeting.greet('anomaly hunter'),
      anomalies: labels.flatMap((label, row) => (label === 1 ? [row] : [])),
    };
  }
}
