import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { PluginModule } from 'nestjs-plugin-host';
import { AnomalyController } from './anomaly.controller';
import { AnomalyService } from './anomaly.service';
import { GreetingPlugin } from './greeting.plugin';
import { HealthController } from './health.controller';
import { PluginOptions } from './plugin-options';

/** The app with its plugin options from ConfigService, through an options class. */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    TerminusModule,
    PluginModule.forRootAsync({
      plugins: [GreetingPlugin],
      discovery: {},
      useClass: PluginOptions,
    }),
  ],
  controllers: [HealthController, AnomalyController],
  providers: [AnomalyService],
})
export class ConfiguredAppModule {}
