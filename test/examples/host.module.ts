import { Injectable, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { PluginType, type AlgorithmPlugin } from '@nestjs-plugin-host/anomaly-contracts';
import { InjectPlugin, InjectPlugins, PluginManager, PluginModule } from 'nestjs-plugin-host';
import { ZScorePlugin } from './zscore.plugin.js';

@Injectable()
export class ScoringService {
  constructor(
    @InjectPlugin('zscore') private readonly zscore: AlgorithmPlugin,
    @InjectPlugins(PluginType.ALGORITHM) private readonly algorithms: AlgorithmPlugin[],
    private readonly plugins: PluginManager,
  ) {}

  async anomalies(data: number[][]): Promise<number[]> {
    const { labels } = await this.zscore.predict(await this.zscore.fit(data), data);
    return labels.flatMap((label, row) => (label === 1 ? [row] : []));
  }

  enabledAlgorithms(): string[] {
    return this.plugins.list({ type: PluginType.ALGORITHM, state: 'enabled' }).map((p) => p.name);
  }

  algorithmCount(): number {
    return this.algorithms.length; // live: always the enabled ones
  }
}

@Module({
  imports: [
    ConfigModule.forRoot(),
    PluginModule.forRootAsync({
      plugins: [ZScorePlugin],
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        hostVersion: '0.1.0',
        config: { zscore: { threshold: 2.5 } },
        disabled: config.get<string>('DISABLED_PLUGINS')?.split(',') ?? [],
      }),
    }),
  ],
  providers: [ScoringService],
})
export class HostModule {}
