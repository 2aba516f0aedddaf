import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { AlgorithmPlugin } from '@nestjs-plugin-host/anomaly-contracts';
import { InjectPlugin, PluginHooks, PluginManager, type PluginOperationResult } from 'nestjs-plugin-host';

@Injectable()
export class OperationsService implements OnModuleInit {
  readonly failures: string[] = [];

  constructor(
    private readonly plugins: PluginManager,
    private readonly hooks: PluginHooks,
    @InjectPlugin('zscore') private readonly zscore: AlgorithmPlugin, // stays valid across disable, enable and reload
  ) {}

  onModuleInit(): void {
    this.plugins.on('plugin.failed', (event) => this.failures.push(`${event.plugin}: ${event.error?.code}`));
  }

  /** Validated against the plugin's schema; applied through configure(), or by a fresh instance. */
  retune(threshold: number): Promise<PluginOperationResult> {
    return this.plugins.updateConfig('zscore', { threshold });
  }

  /** Dependents are disabled first; calls in flight finish before cleanup. */
  async restart(): Promise<string[]> {
    const { alsoDisabled = [] } = await this.plugins.disable('zscore');
    await this.plugins.enable('zscore');
    return alsoDisabled;
  }

  /** New code from disk for a package plugin, a new instance for a class; the old one serves until then. */
  upgrade(): Promise<PluginOperationResult> {
    return this.plugins.reload('zscore');
  }

  /** Enabled for this block only, whatever its state was before. */
  scoreOnce(rows: number[][]): Promise<number[]> {
    return this.plugins.withPlugin<number[], AlgorithmPlugin>(
      'zscore',
      async (z) => (await z.predict(await z.fit(rows), rows)).scores,
    );
  }

  async anomalies(rows: number[][]): Promise<number[]> {
    const { labels } = await this.zscore.predict(await this.zscore.fit(rows), rows);
    const anomalies = labels.flatMap((label, row) => (label === 1 ? [row] : []));
    await this.hooks.call('detection.completed', { algorithm: 'zscore', rows: rows.length, anomalies }); // every @OnHook('detection.completed')
    return anomalies;
  }
}
