import {
  ConfigurableModuleBuilder,
  Logger,
  Module,
  type DynamicModule,
  type FactoryProvider,
  type Type,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, ModuleRef } from '@nestjs/core';
import { createNameFilter } from './discovery/name-filter.js';
import { appRoot, discoverPackages, discoveryLine, type PackageDiscovery } from './discovery/package-discovery.js';
import { PluginHealthIndicator } from './health/plugin-health.indicator.js';
import { PluginHooks } from './hooks/plugin-hooks.service.js';
import { getPluginToken, getPluginTypeToken } from './injection/plugin-tokens.js';
import type { LifecycleRunner, RuntimeOperations } from './lifecycle/index.js';
import type { ResolvedPluginOptions } from './lifecycle/resolved-options.js';
import { PluginManager } from './manager/plugin-manager.js';
import { getPluginMetadata } from './manifest/index.js';
import {
  LIFECYCLE_RUNNER,
  PLUGIN_MODULE_OPTIONS,
  PLUGIN_REGISTRY,
  PLUGIN_STATIC_OPTIONS,
  RESOLVED_PLUGIN_OPTIONS,
  RUNTIME_OPERATIONS,
} from './plugin.constants.js';
import type {
  PluginFeatureOptions,
  PluginModuleAsyncOptions,
  PluginModuleOptions,
  PluginModuleStaticOptions,
  PluginModuleSyncOptions,
} from './plugin-module-options.interface.js';
import type { PluginRegistry } from './registry/index.js';

/** What the providers below build as the app boots (boot.ts): loaded then, not when the library is imported. */
const boot = (): Promise<typeof import('./boot.js')> => import('./boot.js');

/**
 * The options half of PluginModule, as Nest's own modules build it: `forRoot(options)` and `forRootAsync({ useFactory,
 * inject } | { useClass } | { useExisting })` (a class with `createPluginOptions()`), both synchronous. The static
 * options (`plugins`, `discovery`, `discoverProviders`, `isGlobal`, `imports`) are its extras: Nest needs them before
 * it builds the module graph, so they never come from a factory.
 */
const { ConfigurableModuleClass } = new ConfigurableModuleBuilder<PluginModuleOptions>({
  optionsInjectionToken: PLUGIN_MODULE_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createPluginOptions')
  .setExtras<PluginModuleStaticOptions>(
    { plugins: undefined, discovery: undefined, discoverProviders: undefined, isGlobal: undefined, imports: undefined },
    (definition, extras) => withHost(definition, extras),
  )
  .build();

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
export class PluginModule extends ConfigurableModuleClass {
  /** Static options; everything known when the module is declared. */
  static forRoot(options: PluginModuleSyncOptions = {}): DynamicModule {
    return super.forRoot(options);
  }

  /** Runtime options from a factory, a class or an existing provider, resolved inside DI (e.g. with `ConfigService`). */
  static forRootAsync(options: PluginModuleAsyncOptions): DynamicModule {
    return super.forRootAsync(options);
  }

  /**
   * Declares plugin names and types this module injects that the host cannot know when the app boots: a `@Plugin()`
   * provider's name, a plugin installed later, a custom type. Their tokens resolve like any other (calls throw
   * `PLUGIN_NOT_FOUND` until such a plugin exists). Needs PluginModule global (its default).
   *
   * @example
   * @Module({ imports: [PluginModule.forFeature({ plugins: ['report-mailer'], types: ['exporter'] })], providers: [ReportService] })
   */
  static forFeature({ plugins = [], types = [] }: PluginFeatureOptions): DynamicModule {
    const tokens = [...plugins.map(nameToken), ...types.map(typeToken)];
    return { module: PluginFeatureModule, providers: tokens, exports: tokens.map((token) => token.provide) };
  }
}

/** The module `PluginModule.forFeature` returns (one class, many dynamic modules). */
@Module({})
class PluginFeatureModule {}

const nameToken = (name: string): FactoryProvider => ({
  provide: getPluginToken(name),
  useFactory: (registry: PluginRegistry) => registry.referenceOf(name),
  inject: [PLUGIN_REGISTRY],
});

const typeToken = (type: string): FactoryProvider => ({
  provide: getPluginTypeToken(type),
  useFactory: (registry: PluginRegistry) => registry.listOf(type),
  inject: [PLUGIN_REGISTRY],
});

/** The module definition Nest's builder made (its options provider, and `imports` for the async form), with the host's providers. */
function withHost(definition: DynamicModule, options: PluginModuleStaticOptions): DynamicModule {
  const classes = options.plugins ?? [];
  // Package manifests are read now, once (no plugin code runs), so their names and types get tokens.
  const packages: PackageDiscovery = options.discovery
    ? discoverPackages(options.discovery)
    : { root: appRoot(), candidates: [], warnings: [] };
  const names = new Set<string>();
  const types = new Set<string>();
  for (const metadata of [
    ...classes.map((pluginClass) => getPluginMetadata(pluginClass)),
    ...packages.candidates.map((candidate) => candidate.metadata),
  ]) {
    if (typeof metadata?.name === 'string') names.add(metadata.name);
    if (typeof metadata?.type === 'string') types.add(metadata.type);
  }
  const acceptedProvider = createNameFilter(options.discovery?.include, options.discovery?.exclude);
  const tokens = [...[...names].map(nameToken), ...[...types].map(typeToken)];

  return {
    ...definition,
    global: options.isGlobal ?? true,
    imports: [...new Set([DiscoveryModule, ...(definition.imports ?? []), ...(options.imports ?? [])])],
    providers: [
      ...(definition.providers ?? []),
      {
        provide: PLUGIN_STATIC_OPTIONS,
        useValue: { plugins: classes, discovery: options.discovery, discoverProviders: options.discoverProviders },
      },
      {
        provide: RESOLVED_PLUGIN_OPTIONS,
        useFactory: async (given: PluginModuleOptions | undefined) => (await boot()).resolveOptions(given),
        inject: [PLUGIN_MODULE_OPTIONS],
      },
      {
        provide: PLUGIN_REGISTRY,
        useFactory: async (
          resolved: ResolvedPluginOptions,
          statics: PluginModuleStaticOptions,
          discovery: DiscoveryService,
          moduleRef: ModuleRef,
        ) => {
          const {
            admitPlugin,
            checkPluginInjections,
            discoverOptionClasses,
            discoverProviderClasses,
            gateContext,
            instantiatePlugin,
            IsolationSupervisor,
            loadPlugins,
            timeoutsFor,
          } = await boot();
          const logger = new Logger('PluginHost');
          const injections = checkPluginInjections(discovery); // PLUGIN_NOT_FOUND for a name or type no module provides
          if (statics.discovery) logger.log(discoveryLine(packages));
          for (const warning of packages.warnings) logger.warn(warning);
          const providers =
            statics.discoverProviders === false
              ? []
              : discoverProviderClasses(discovery).filter((c) => acceptedProvider(c.metadata?.name));
          const registry = await loadPlugins({
            candidates: [...discoverOptionClasses(statics.plugins ?? []), ...providers, ...packages.candidates],
            options: resolved,
            root: packages.root,
            instantiate: (pluginClass: Type<object>) => instantiatePlugin(moduleRef, pluginClass),
            supervisor: new IsolationSupervisor({
              ...resolved,
              resolve: (token) => moduleRef.get(token, { strict: false }),
              admit: (record) => admitPlugin(record, gateContext(resolved, packages.root)),
              loadTimeoutMs: (record) => timeoutsFor(record.metadata, resolved).initialize,
            }),
          });
          const known = new Set(registry.names());
          for (const name of new Set(
            injections.filter((injection) => injection.kind === 'plugin').map((injection) => injection.value),
          ))
            if (!known.has(name))
              logger.warn(
                `@InjectPlugin('${name}') is used but no plugin named "${name}" is registered; calls through it throw PLUGIN_NOT_FOUND.`,
              );
          return registry;
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
        useFactory: async (
          registry: PluginRegistry,
          runner: LifecycleRunner,
          resolved: ResolvedPluginOptions,
          moduleRef: ModuleRef,
        ) => new (await boot()).RuntimeOperations(registry, runner, resolved, moduleRef),
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
        useFactory: async (registry: PluginRegistry, resolved: ResolvedPluginOptions) =>
          new (await boot()).HookRunner(registry, resolved),
        inject: [PLUGIN_REGISTRY, RESOLVED_PLUGIN_OPTIONS],
      },
      {
        provide: PluginHealthIndicator,
        useFactory: async (registry: PluginRegistry, resolved: ResolvedPluginOptions) =>
          new (await boot()).PluginHealthChecks(registry, resolved),
        inject: [PLUGIN_REGISTRY, RESOLVED_PLUGIN_OPTIONS],
      },
      ...tokens,
    ],
    // The registry too: PluginModule.forFeature's tokens are made from it.
    exports: [
      PluginManager,
      PluginHooks,
      PluginHealthIndicator,
      PLUGIN_REGISTRY,
      ...tokens.map((token) => token.provide),
    ],
  };
}
