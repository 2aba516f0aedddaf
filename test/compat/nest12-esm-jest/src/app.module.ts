import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PluginModule } from 'nestjs-plugin-host';
import { AnomalyController } from './anomaly.controller.js';
import { AnomalyService } from './anomaly.service.js';
import { AppController } from './app.controller.js';
import { AppService } from './app.service.js';
import { GreetingPlugin } from './greeting.plugin.js';
import { HealthController } from './health.controller.js';

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
