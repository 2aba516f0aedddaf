import type { Logger } from '@nestjs/common';
import { hookImplementations } from '../manifest/on-hook.decorator.js';
import { PluginState, type PluginRecord, type PluginRegistry } from '../registry/index.js';
import { startupPhases } from './startup-timing.js';

/** One line per plugin (its warnings first), then the summary: what the host logs once every plugin has started. */
export function logStartup(
  registry: PluginRegistry,
  declaredHooks: ReadonlySet<string> | undefined,
  startupMs: number,
  logger: Logger,
): void {
  warnUndeclaredHooks(registry, declaredHooks);
  const counts = new Map<string, number>();
  for (const record of registry.all()) {
    counts.set(record.state, (counts.get(record.state) ?? 0) + 1);
    const { phases, totalMs } = startupPhases(record.timings);
    const spent = Object.entries(phases).map(([phase, ms]) => `${phase} ${ms} ms`);
    const state = record.lazy && record.state === PluginState.DISCOVERED ? 'lazy (loads on first use)' : record.state;
    const line = `${record.name}@${record.metadata.version} [${record.metadata.type}] from ${record.source.description}: ${state} in ${totalMs} ms${spent.length ? ` (${spent.join(', ')})` : ''}`;
    for (const warning of record.warnings) logger.warn(warning);
    if (record.state === PluginState.FAILED) {
      const message = `${line}: ${record.error?.message ?? 'unknown error'}`;
      if (record.required) logger.error(message);
      else logger.warn(message);
    } else logger.log(line);
  }
  const summary = [...counts].map(([state, count]) => `${count} ${state}`).join(', ') || 'no plugins';
  logger.log(`plugins started in ${startupMs} ms: ${summary}`);
}

/** A warning on each plugin that implements hooks the host did not declare (module option `hooks`). */
function warnUndeclaredHooks(registry: PluginRegistry, declared: ReadonlySet<string> | undefined): void {
  for (const record of registry.all()) {
    const hooks = [...new Set(undeclaredHooks(record, declared))];
    if (hooks.length === 0) continue;
    registry.addWarning(
      record,
      `plugin "${record.name}" implements hook${hooks.length > 1 ? 's' : ''} ${hooks.map((hook) => `"${hook}"`).join(', ')} that the host does not declare (module option hooks: [${[...(declared ?? [])].map((hook) => `"${hook}"`).join(', ')}]); it is never called unless the host calls it. Check the hook name.`,
    );
  }
}

function undeclaredHooks(record: PluginRecord, declared: ReadonlySet<string> | undefined): string[] {
  return hookImplementations(record.pluginClass)
    .map(({ hook }) => hook)
    .filter((hook) => !declared?.has(hook));
}
