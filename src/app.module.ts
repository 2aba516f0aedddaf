import { Module } from '@nestjs/common';
import { resolve } from 'node:path';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { PluginModule } from 'nestjs-plugin-host';
import { PluginAdminModule } from 'nestjs-plugin-host/admin';
import { APP_VERSION } from './app.version.js';
import { pluginState } from './plugin-state.js';
import { DetectionModule } from './detection/detection.module.js';
import { HealthController } from './health/health.controller.js';
import { PipelineModule } from './pipeline/pipeline.module.js';
import { PluginsController } from './plugins/plugins.controller.js';

/**
 * The anomaly-detection host. Its algorithms, data source, processing and output
 * are plugin packages, found through the `nestPlugin` manifests of its
 * dependencies and of ./plugins: nothing here names them.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    TerminusModule.forRoot(),
    PluginModule.forRootAsync({
      discovery: { lazy: splitList(process.env.LAZY_PLUGINS) },
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: async (config: ConfigService) => ({
        hostVersion: APP_VERSION,
        // REDIS_URL: replicas share enable/disable/reload/config through Redis (src/plugin-state.ts).
        state: await pluginState(config),
        // The csv plugin's folder is the one its process may read and write (PLUGIN_CSV_FOLDER, default ./data).
        config: { pyod: { contamination: 0.1 }, csv: { folder: dataFolder(config) } },
        disabled: splitList(config.get<string>('DISABLED_PLUGINS')),
        hooks: ['detection.started', 'detection.completed'],
        // The CSV reader touches files named by requests: it runs in a child process that may read and
        // write its data folder and nothing else of the machine.
        isolation: { csv: { tier: 'process', allowRead: [dataFolder(config)], allowWrite: [dataFolder(config)] } },
        timeouts: { initialize: 10_000, cleanup: 5_000, healthCheck: 2_000 },
      }),
    }),
    DetectionModule,
    PipelineModule,
    // Operators manage plugins at /admin/plugins when ADMIN_TOKEN is set; without it those routes answer 404.
    PluginAdminModule.forRootAsync({
      path: 'admin/plugins',
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => {
        const token = config.get<string>('ADMIN_TOKEN');
        return token ? { token } : { enabled: false };
      },
    }),
  ],
  controllers: [PluginsController, HealthController],
})
export class AppModule {}

function dataFolder(config: ConfigService): string {
  return resolve(config.get<string>('PLUGIN_CSV_FOLDER') ?? 'data');
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}
