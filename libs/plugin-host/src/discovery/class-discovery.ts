import type { Type } from '@nestjs/common';
import type { DiscoveryService } from '@nestjs/core';
import { getPluginMetadata } from '../manifest/index.js';
import type { PluginCandidate } from './plugin-candidate.js';

/** The classes listed in `PluginModule.forRoot({ plugins })`, in the order given. */
export function discoverOptionClasses(classes: readonly Type<object>[]): PluginCandidate[] {
  return classes.map((pluginClass, index) => ({
    pluginClass,
    metadata: getPluginMetadata(pluginClass),
    source: {
      kind: 'module-options',
      description: `class ${pluginClass?.name ?? String(pluginClass)} in PluginModule plugins[${index}]`,
    },
  }));
}

/**
 * `@Plugin()` classes registered as providers anywhere in the app's modules,
 * sorted by plugin name so two boots of the same app find them in the same order.
 */
export function discoverProviderClasses(discovery: DiscoveryService): PluginCandidate[] {
  const candidates: PluginCandidate[] = [];
  for (const wrapper of discovery.getProviders()) {
    if (wrapper.isAlias || wrapper.inject) continue; // aliases and factories are not plugin classes
    const pluginClass = (wrapper.metatype ?? (wrapper.instance as object | undefined)?.constructor) as
      Type<object> | undefined;
    const metadata = getPluginMetadata(pluginClass);
    if (!pluginClass || !metadata) continue;
    const moduleName = wrapper.host?.metatype?.name ?? 'an unknown module';
    candidates.push({
      pluginClass,
      metadata,
      source: { kind: 'provider', description: `provider ${pluginClass.name} in ${moduleName}` },
      resolveInstance: () => (wrapper.isDependencyTreeStatic() ? (wrapper.instance as object | undefined) : undefined),
    });
  }
  return candidates.sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
}
