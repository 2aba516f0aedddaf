import { Logger, Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, ModuleRef } from '@nestjs/core';
import { createNameFilter } from './discovery/name-filter.js';
import { appRoot, discoverPackages, discoveryLine, type PackageDiscovery } from './discovery/package-discovery.js';
import { PluginHealthIndicator } from './health/plugin-health.indicator.js';
import { PluginHooks } from './hooks/plugin-hooks.service.js';
import { requestedPluginNames, requestedPluginTypes } from './injection/inject-plugin.decorator.js';
import { getPluginToken, getPluginTypeToken } from './injection/plugin-tokens.js';
import type { LifecycleRunner, RuntimeOperations } from './lifecycle/index.js';
import type { ResolvedPluginOptions } from './lifecycle/resolved-options.js';
import { PluginManager } from './manager/plugin-manager.js';
import { getPluginMetadata, PluginType } from './manifest/index.js';
import {
  LIFECYCLE_RUNNER,
  PLUGIN_MODULE_OPTIONS,
  PLUGIN_REGISTRY,
  PLUGIN_STATIC_OPTIONS,
  RESOLVED_PLUGIN_OPTIONS,
  RUNTIME_OPERATIONS,
} from './plugin.constants.js';
import type { PluginModuleAsyncOptions, PluginModuleOptions, PluginModuleStaticOptions, PluginModuleSyncOptions } from './plugin-module-options.interface.js';
import type { PluginRegistry } from './registry/index.js';

/** What the providers below build as the app boots (boot.ts): loaded then, not when the library is imported. */
const boot = (): Promise<typeof import('./boot.js')> => import('./boot.js');

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
    inject: [PLUGIN_REGISTRY],
  }));
  const typeTokens: Provider[] = [...types].map((type) => ({
    provide: getPluginTypeToken(type),
    useFactory: (registry: PluginRegistry) => registry.listOf(type),
    inject: [PLUGIN_REGISTRY],
  }));

  return {
    module: PluginModule,
    global: options.isGlobal ?? true,
    imports: [DiscoveryModule, ...(options.imports ?? [])],
    providers: [
      optionsProvider,
      { provide: PLUGIN_STATIC_OPTIONS, useValue: { ...options, plugins: classes } },
      {
        provide: RESOLVED_PLUGIN_OPTIONS,
        useFactory: async (given: PluginModuleOptions | undefined) => (await boot()).resolveOptions(given),
        inject: [PLUGIN_MODULE_OPTIONS],
      },
      {
        provide: PLUGIN_REGISTRY,
        useFactory: async (resolved: ResolvedPluginOptions, statics: PluginModuleStaticOptions, discovery: DiscoveryService, moduleRef: ModuleRef) => {
          const { admitPlugin, discoverOptionClasses, discoverProviderClasses, gateContext, IsolationSupervisor, loadPlugins, timeoutsFor } = await boot();
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
      {
        provide: LIFECYCLE_RUNNER,
        useFactory: async (registry: PluginRegistry, resolved: ResolvedPluginOptions, moduleRef: ModuleRef) =>
          new (await boot()).LifecycleRunner(registry, resolved, moduleRef),
        inject: [PLUGIN_REGISTRY, RESOLVED_PLUGIN_OPTIONS, ModuleRef],
      },
      {
        provide: RUNTIME_OPERATIONS,
        useFactory: async (registry: PluginRegistry, runner: LifecycleRunner, resolved: ResolvedPluginOptions, moduleRef: ModuleRef) =>
          new (await boot()).RuntimeOperations(registry, runner, resolved, moduleRef),
        inject: [PLUGIN_REGISTRY, LIFECYCLE_RUNNER, RESOLVED_PLUGIN_OPTIONS, ModuleRef],
      },
      {
        provide: PluginManager,
        useFactory: async (registry: PluginRegistry, runner: LifecycleRunner, operations: RuntimeOperations) =>
          new (await boot()).RegistryPluginManager(registry, runner, operations),
        inject: [PLUGIN_REGISTRY, LIFECYCLE_RUNNER, RUNTIME_OPERATIONS],
      },
      {
        provide: PluginHooks,
        useFactory: async (registry: PluginRegistry, resolved: ResolvedPluginOptions) => new (await boot()).HookRunner(registry, resolved),
        inject: [PLUGIN_REGISTRY, RESOLVED_PLUGIN_OPTIONS],
      },
      {
        provide: PluginHealthIndicator,
        useFactory: async (registry: PluginRegistry, resolved: ResolvedPluginOptions) => new (await boot()).PluginHealthChecks(registry, resolved),
        inject: [PLUGIN_REGISTRY, RESOLVED_PLUGIN_OPTIONS],
      },
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
