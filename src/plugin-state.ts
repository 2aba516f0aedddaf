import type { ConfigService } from '@nestjs/config';
import type { PluginStateOptions } from 'nestjs-plugin-host';

/**
 * With REDIS_URL set, the demo's replicas share one plugin state through Redis (docs/replicas.md): an operation on
 * one replica's admin routes reaches all of them. Without it nothing of Redis loads and each process keeps its own.
 */
export async function pluginState(config: ConfigService): Promise<PluginStateOptions | undefined> {
  const url = config.get<string>('REDIS_URL');
  if (!url) return undefined;
  const { RedisPluginStateStore } = await import('nestjs-plugin-host/redis');
  const store = new RedisPluginStateStore({ url, cluster: config.get<string>('PLUGIN_CLUSTER') ?? 'demo' });
  return { store, ...(config.get<string>('REPLICA') && { replica: config.get<string>('REPLICA') }) };
}
