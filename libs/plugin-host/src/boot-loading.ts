import { Logger, type Type } from '@nestjs/common';
import type { DiscoveryService, ModuleRef } from '@nestjs/core';
import { discoverOptionClasses, discoverProviderClasses } from './discovery/index.js';
import { discoveryLine, type PackageDiscovery } from './discovery/package-discovery.js';
import { admitPlugin } from './gate/index.js';
import { checkPluginInjections } from './injection/injection-check.js';
import { instantiatePlugin } from './injection/instantiate-plugin.js';
import { IsolationSupervisor } from './isolation/isolation-supervisor.js';
import { PluginLoader, type PluginPhases } from './lifecycle/index.js';
import { loadContext } from './lifecycle/load-checks.js';
import type { ResolvedPluginOptions } from './lifecycle/resolved-options.js';
import { timeoutsFor } from './lifecycle/run-phase.js';
import type { PluginModuleStaticOptions } from './plugin-module-options.interface.js';
import type { PluginRegistry } from './registry/index.js';

/** The supervisor of this host's isolated plugins: their gate, timeouts, the host services they may call, and their restarts. */
export function createSupervisor(
  registry: PluginRegistry,
  options: ResolvedPluginOptions,
  phases: PluginPhases,
  moduleRef: ModuleRef,
): IsolationSupervisor {
  return new IsolationSupervisor(registry, {
    ...options,
    resolve: (token) => moduleRef.get(token, { strict: false }),
    admit: (record) => admitPlugin(record, loadContext(registry, options)),
    loadTimeoutMs: (record) => timeoutsFor(record.metadata, options).initialize,
    start: (record) => phases.start(record),
  });
}

/** What boot loading works with. */
interface BootLoading {
  registry: PluginRegistry;
  supervisor: IsolationSupervisor;
  options: ResolvedPluginOptions;
  statics: PluginModuleStaticOptions;
  packages: PackageDiscovery;
  /** Whether a `@Plugin()` provider's name passes `discovery.include`/`exclude`. */
  acceptedProvider: (name?: string) => boolean;
  discovery: DiscoveryService;
  moduleRef: ModuleRef;
}

/**
 * Boot: the injection check (`PLUGIN_NOT_FOUND` for a name or type no module provides), then every plugin found (listed
 * classes, `@Plugin()` providers, packages) loaded through the gate. Returns the loader, for what loads plugins later.
 */
export async function loadAtBoot(boot: BootLoading): Promise<PluginLoader> {
  const { registry, statics, packages, discovery, moduleRef } = boot;
  const logger = new Logger('PluginHost');
  const injections = checkPluginInjections(discovery);
  if (statics.discovery) logger.log(discoveryLine(packages));
  for (const warning of packages.warnings) logger.warn(warning);
  const providers =
    statics.discoverProviders === false
      ? []
      : discoverProviderClasses(discovery).filter((c) => boot.acceptedProvider(c.metadata?.name));
  const loader = new PluginLoader(registry, boot.supervisor, boot.options, (pluginClass: Type<object>) =>
    instantiatePlugin(moduleRef, pluginClass),
  );
  await loader.loadAll([...discoverOptionClasses(statics.plugins ?? []), ...providers, ...packages.candidates]);
  const injected = injections.filter((injection) => injection.kind === 'plugin').map((injection) => injection.value);
  for (const name of new Set(injected))
    if (!registry.get(name))
      logger.warn(
        `@InjectPlugin('${name}') is used but no plugin named "${name}" is registered; calls through it throw PLUGIN_NOT_FOUND.`,
      );
  return loader;
}
