import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { PluginModule } from 'nestjs-plugin-host';
import { AnomalyController } from './anomaly.controller.js';
import { AnomalyService } from './anomaly.service.js';
import { GreetingPlugin } from './greeting.plugin.js';
import { HealthController } from './health.controller.js';

/** The app with its plugin options from ConfigService, through a factory. */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    TerminusModule,
    PluginModule.forRootAsync({
      plugins: [GreetingPlugin],
      discovery: {},
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        disabled: (config.get<string>('DISABLED_PLUGINS') ?? '')
          .split(',')
          .filter(Boolean),
        config: {
          pyod: {
            contamination: Number(
              config.get<string>('PYOD_CONTAMINATION') ?? 0.1,
            ),
          },
        },
      }),
    }),
  ],
  controllers: [HealthController, AnomalyController],
  providers: [AnomalyService],
})
export class ConfiguredAppModule {}
