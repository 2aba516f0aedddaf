import { Module } from '@nestjs/common';
import { PluginModule } from 'nestjs-plugin-host';
import { RedisPluginStateStore } from 'nestjs-plugin-host/redis';
import { ZScorePlugin } from './zscore.plugin.js';

// Every replica runs this module with the same Redis and cluster name: an enable, disable, reload or updateConfig
// through any replica (PluginManager or the admin routes) reaches them all, and a replica that starts later boots
// into it.
@Module({
  imports: [
    PluginModule.forRootAsync({
      plugins: [ZScorePlugin],
      useFactory: () => ({
        hostVersion: '0.1.0',
        state: {
          store: new RedisPluginStateStore({
            url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
            keyPrefix: 'plugins:',
            cluster: 'scoring',
          }),
        },
      }),
    }),
  ],
})
export class ReplicatedHostModule {}
