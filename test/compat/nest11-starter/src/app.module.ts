import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PluginModule } from 'nestjs-plugin-host';
import { AnomalyController } from './anomaly.controller';
import { AnomalyService } from './anomaly.service';
import { AppController } from './app.controller';
import { AppService } from './app.service';
import { GreetingPlugin } from './greeting.plugin';
import { HealthController } from './health.controller';

@Module({
  imports: [
    TerminusModule,
    // discovery: {} finds the plugin packages in package.json's dependencies (here @nestjs-plugin-host/pyod).
    PluginModule.forRoot({ plugins: [GreetingPlugin], discovery: {} }),
  ],
  controllers: [AppController, HealthController, AnomalyController],
  providers: [AppService, AnomalyService],
})
export class AppModule {}
