import { afterEach, describe, expect, it } from '@jest/globals';
import { OnHook, Plugin, PluginHooks, PluginManager, type HookContext } from 'nestjs-plugin-host';
import { bootHost, type Host } from './fixtures.js';

const calls: string[] = [];

@Plugin({ name: 'audit', type: 'output', version: '1.0.0', compatibility: '^0.1.0' })
class AuditPlugin {
  @OnHook('detection.completed')
  record(payload: { rows: number }): string {
    calls.push('audit');
    return `audited ${payload.rows}`;
  }
}

@Plugin({
  name: 'alerts',
  type: 'output',
  version: '1.0.0',
  compatibility: '^0.1.0',
  dependencies: { audit: '^1.0.0' },
})
class AlertsPlugin {
  @OnHook('detection.completed', { priority: 10 })
  async alert(): Promise<string> {
    calls.push('alerts');
    return 'alerted';
  }

  @OnHook('threshold.choose')
  choose(): number | undefined {
    calls.push('alerts:choose');
    return undefined;
  }
}

@Plugin({
  name: 'metrics',
  type: 'output',
  version: '1.0.0',
  compatibility: '^0.1.0',
  dependencies: { audit: '^1.0.0' },
})
class MetricsPlugin {
  @OnHook('detection.completed')
  count(): never {
    calls.push('metrics');
    throw new Error('metrics backend down');
  }

  @OnHook('threshold.choose', { priority: -1 })
  choose(): number {
    calls.push('metrics:choose');
    return 0.7;
  }

  @OnHook('detection.completed', { priority: 5, timeout: 30 })
  async hang(_payload: unknown, ctx: HookContext): Promise<void> {
    calls.push('metrics:hang');
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
  }

  @OnHook('detection.typo')
  typo(): void {}
}

describe('hooks', () => {
  let host: Host | undefined;
  afterEach(async () => {
    await host?.close();
    host = undefined;
    calls.length = 0;
  });

  const boot = async () => {
    host = await bootHost({
      plugins: [AuditPlugin, AlertsPlugin, MetricsPlugin],
      hooks: ['detection.completed', 'threshold.choose'],
    });
    return { hooks: host.moduleRef.get(PluginHooks), plugins: host.moduleRef.get(PluginManager) };
  };

  it('runs higher priority first, then equal priorities in dependency order; reports failures and timeouts while the rest run', async () => {
    const { hooks } = await boot();
    const results = await hooks.call('detection.completed', { rows: 3 });
    expect(calls).toEqual(['alerts', 'metrics:hang', 'audit', 'metrics']);
    expect(results.map((r) => (r.ok ? `${r.plugin}: ${String(r.value)}` : `${r.plugin}: ${r.error.code}`))).toEqual([
      'alerts: alerted',
      'metrics: PLUGIN_TIMEOUT',
      'audit: audited 3',
      'metrics: PLUGIN_HOOK_FAILED',
    ]);
    const failed = results[3];
    expect(!failed.ok && failed.error.message).toContain('metrics backend down');
    expect(
      host!.logger
        .messages('PluginHooks')
        .some((line) => line.includes('"metrics" failed in hook "detection.completed"')),
    ).toBe(true);
  });

  it('callFirst returns the first value that is not undefined and stops there', async () => {
    const { hooks } = await boot();
    await expect(hooks.callFirst<number>('threshold.choose')).resolves.toBe(0.7);
    expect(calls).toEqual(['alerts:choose', 'metrics:choose']);
    await expect(hooks.callFirst('nobody.implements')).resolves.toBeUndefined();
  });

  it('skips disabled plugins', async () => {
    const { hooks, plugins } = await boot();
    await plugins.disable('alerts');
    expect(hooks.implementations('detection.completed').map((i) => i.plugin)).toEqual(['metrics', 'audit', 'metrics']);
    await plugins.enable('alerts');
    expect(hooks.implementations('detection.completed')[0]).toEqual({
      plugin: 'alerts',
      method: 'alert',
      priority: 10,
    });
  });

  it('warns at boot about implementations of hooks the host did not declare', async () => {
    const { plugins } = await boot();
    expect(plugins.info('metrics').warnings).toEqual([
      expect.stringContaining('implements hook "detection.typo" that the host does not declare'),
    ]);
    expect(plugins.info('audit').warnings).toEqual([]);
  });
});
