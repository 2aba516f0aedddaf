import { Logger, Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, ModuleRef } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import {
  appRoot,
  discoverOptionClasses,
  discoverPackages,
  discoverProviderClasses,
  createNameFilter,
  discoveryLine,
  type PackageDiscovery,
} from './discovery/index.js';
import { PluginHealthIndicator } from './health/index.js';
import { PluginHooks } from './hooks/index.js';
import { IsolationSupervisor } from './isolation/index.js';
import { getPluginToken, getPluginTypeToken, requestedPluginNames, requestedPluginTypes } from './injection/index.js';
import { admitPlugin } from './gate/index.js';
import { gateContext, LifecycleRunner, loadPlugins, resolveOptions, RuntimeOperations, timeoutsFor, type ResolvedPluginOptions } from './lifecycle/index.js';
import { PluginManager } from './manager/index.js';
import { getPluginMetadata, PluginType } from './manifest/index.js';
import { PLUGIN_MODULE_OPTIONS, PLUGIN_STATIC_OPTIONS, RESOLVED_PLUGIN_OPTIONS } from './plugin.constants.js';
import type { PluginModuleAsyncOptions, PluginModuleStaticOptions, PluginModuleSyncOptions } from './plugin-module-options.interface.js';
import { PluginRegistry } from './registry/index.js';

/**
 * Turns a Nest app into a plugin host. Only wiring lives here: discovery,
 * checks, lifecycle, health and the manager each live in their own folder.
 *
 * @example
 * PluginModule.forRootAsync({
 *   plugins: [PyodPlugin],
 *   imports: [ConfigModule],
 *   inject: [ConfigService],
 *   useFactory: (cfg: ConfigService) => ({ hostVersion: '0.1.0', disabled: cfg.get('DISABLED_PLUGINS')?.split(',') ?? [] }),
 * })
 */
@Module({})
export class PluginModule {
  /** Static options; everything known when the module is declared. */
  static forRoot(options: PluginModuleSyncOptions = {}): DynamicModule {
    const { plugins, discoverProviders, isGlobal, imports, discovery, ...runtime } = options;
    return build({ plugins, discoverProviders, isGlobal, imports, discovery }, { provide: PLUGIN_MODULE_OPTIONS, useValue: runtime });
  }

  /** Runtime options from a factory resolved inside DI (e.g. with `ConfigService`). */
  static async forRootAsync(options: PluginModuleAsyncOptions): Promise<DynamicModule> {
    // One tick later every module of the app has been evaluated, so every
    // @InjectPlugin()/@InjectPlugins() in it has registered the token it needs.
    await Promise.resolve();
    const { useFactory, inject, ...staticOptions } = options;
    return build(staticOptions, { provide: PLUGIN_MODULE_OPTIONS, useFactory, inject: inject ?? [] });
  }
}

function build(options: PluginModuleStaticOptions, optionsProvider: Provider): DynamicModule {
  const classes = options.plugins ?? [];
  // Package manifests are read now, once (no plugin code runs), so their names and types get tokens.
  const packages: PackageDiscovery = options.discovery ? discoverPackages(options.discovery) : { root: appRoot(), candidates: [], warnings: [] };
  const names = new Set<string>(requestedPluginNames());
  const types = new Set<string>([...Object.values(PluginType), ...requestedPluginTypes()]);
  for (const metadata of [...classes.map((pluginClass) => getPluginMetadata(pluginClass)), ...packages.candidates.map((candidate) => candidate.metadata)]) {
    if (typeof metadata?.name === 'string') names.add(metadata.name);
    if (typeof metadata?.type === 'string') types.add(metadata.type);
  }
  const acceptedProvider = createNameFilter(options.discovery?.include, options.discovery?.exclude);
  const nameTokens: Provider[] = [...names].map((name) => ({
    provide: getPluginToken(name),
    useFactory: (registry: PluginRegistry) => registry.referenceOf(name),
    inject: [PluginRegistry],
  }));
  const typeTokens: Provider[] = [...types].map((type) => ({
    provide: getPluginTypeToken(type),
    useFactory: (registry: PluginRegistry) => registry.listOf(type),
    inject: [PluginRegistry],
  }));

  return {
    module: PluginModule,
    global: options.isGlobal ?? true,
    imports: [DiscoveryModule, TerminusModule, ...(options.imports ?? [])],
    providers: [
      optionsProvider,
      { provide: PLUGIN_STATIC_OPTIONS, useValue: { ...options, plugins: classes } },
      { provide: RESOLVED_PLUGIN_OPTIONS, useFactory: resolveOptions, inject: [PLUGIN_MODULE_OPTIONS] },
      {
        provide: PluginRegistry,
        useFactory: (resolved: ResolvedPluginOptions, statics: PluginModuleStaticOptions, discovery: DiscoveryService, moduleRef: ModuleRef) => {
          const logger = new Logger('PluginHost');
          if (statics.discovery) logger.log(discoveryLine(packages));
          for (const warning of packages.warnings) logger.warn(warning);
          const providers = statics.discoverProviders === false ? [] : discoverProviderClasses(discovery).filter((c) => acceptedProvider(c.metadata?.name));
          return loadPlugins({
            candidates: [...discoverOptionClasses(statics.plugins ?? []), ...providers, ...packages.candidates],
            options: resolved,
            root: packages.root,
            instantiate: (pluginClass: Type<object>) => instantiate(moduleRef, pluginClass),
            supervisor: new IsolationSupervisor({
              ...resolved,
              resolve: (token) => moduleRef.get(token, { strict: false }),
              admit: (record) => admitPlugin(record, gateContext(resolved, packages.root)),
              loadTimeoutMs: (record) => timeoutsFor(record.metadata, resolved).initialize,
            }),
          });
        },
        inject: [RESOLVED_PLUGIN_OPTIONS, PLUGIN_STATIC_OPTIONS, DiscoveryService, ModuleRef],
      },
      LifecycleRunner,
      RuntimeOperations,
      PluginManager,
      PluginHooks,
      PluginHealthIndicator,
      ...nameTokens,
      ...typeTokens,
    ],
    exports: [PluginManager, PluginHooks, PluginHealthIndicator, ...nameTokens, ...typeTokens].map((provider) =>
      typeof provider === 'function' ? provider : (provider as { provide: string }).provide,
    ),
  };
}

/**
 * A plugin class with nothing to inject is constructed directly; one with
 * constructor or property dependencies goes through Nest's injector. (Nest's
 * `ModuleRef.create` costs tens of microseconds a class, which adds up for
 * hosts with hundreds of plugins.)
 */
function instantiate(moduleRef: ModuleRef, pluginClass: Type<object>): object | Promise<object> {
  const needsInjection =
    pluginClass.length > 0 ||
    (Reflect.getMetadata('design:paramtypes', pluginClass) as unknown[] | undefined)?.length ||
    Reflect.getMetadata('self:paramtypes', pluginClass) !== undefined ||
    Reflect.getMetadata('self:properties_metadata', pluginClass) !== undefined;
  return needsInjection ? moduleRef.create(pluginClass) : new pluginClass();
}
