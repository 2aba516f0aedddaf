import { ConfigurableModuleBuilder, Module, type DynamicModule, type FactoryProvider, type Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { createNameFilter } from './discovery/name-filter.js';
import { appRoot, discoverPackages, type PackageDiscovery } from './discovery/package-discovery.js';
import { hostProviders } from './host-providers.js';
import type { PluginExports, PluginReferences } from './injection/index.js';
import { getPluginToken, getPluginTypeToken } from './injection/plugin-tokens.js';
import { PluginHealthIndicator } from './health/plugin-health.indicator.js';
import { PluginHooks } from './hooks/plugin-hooks.service.js';
import { PluginManager } from './manager/plugin-manager.js';
import { getPluginMetadata } from './manifest/index.js';
import { PLUGIN_EXPORTS, PLUGIN_MODULE_OPTIONS, PLUGIN_REFERENCES } from './plugin.constants.js';
import type {
  PluginFeatureOptions,
  PluginModuleAsyncOptions,
  PluginModuleOptions,
  PluginModuleStaticOptions,
  PluginModuleSyncOptions,
} from './plugin-module-options.interface.js';

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
   * Declares plugin names, types and module plugins' exported classes this module injects that the host cannot know
   * when the app boots: a `@Plugin()` provider's name or exports, a package plugin's exports, a plugin installed later,
   * a custom type. Their tokens resolve like any other (calls throw
   * `PLUGIN_NOT_FOUND` until such a plugin exists). Needs PluginModule global (its default).
   *
   * @example
   * @Module({ imports: [PluginModule.forFeature({ plugins: ['report-mailer'], types: ['exporter'] })], providers: [ReportService] })
   */
  static forFeature({ plugins = [], types = [], exports = [] }: PluginFeatureOptions): DynamicModule {
    const tokens = [...plugins.map(nameToken), ...types.map(typeToken), ...exports.map(exportToken)];
    return { module: PluginFeatureModule, providers: tokens, exports: tokens.map((token) => token.provide) };
  }
}

/** The module `PluginModule.forFeature` returns (one class, many dynamic modules). */
@Module({})
class PluginFeatureModule {}

const nameToken = (name: string): FactoryProvider => ({
  provide: getPluginToken(name),
  useFactory: (references: PluginReferences) => references.referenceOf(name),
  inject: [PLUGIN_REFERENCES],
});

const typeToken = (type: string): FactoryProvider => ({
  provide: getPluginTypeToken(type),
  useFactory: (references: PluginReferences) => references.listOf(type),
  inject: [PLUGIN_REFERENCES],
});

const exportToken = (exported: Type<unknown>): FactoryProvider => ({
  provide: exported,
  useFactory: (exports: PluginExports) => exports.referenceOf(exported as Type<object>),
  inject: [PLUGIN_EXPORTS],
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
  // Module plugins' exports, where the class is known now (class plugins); others come through forFeature({ exports }).
  const exported = new Set<Type<unknown>>();
  for (const metadata of [
    ...classes.map((pluginClass) => getPluginMetadata(pluginClass)),
    ...packages.candidates.map((candidate) => candidate.metadata),
  ]) {
    if (typeof metadata?.name === 'string') names.add(metadata.name);
    if (typeof metadata?.type === 'string') types.add(metadata.type);
    if (Array.isArray(metadata?.exports)) for (const each of metadata.exports) exported.add(each);
  }
  const tokens = [...[...names].map(nameToken), ...[...types].map(typeToken), ...[...exported].map(exportToken)];

  return {
    ...definition,
    global: options.isGlobal ?? true,
    imports: [...new Set([DiscoveryModule, ...(definition.imports ?? []), ...(options.imports ?? [])])],
    providers: [
      ...(definition.providers ?? []),
      ...hostProviders({
        statics: { plugins: classes, discovery: options.discovery, discoverProviders: options.discoverProviders },
        packages,
        acceptedProvider: createNameFilter(options.discovery?.include, options.discovery?.exclude),
      }),
      ...tokens,
    ],
    // The references too: PluginModule.forFeature's tokens are made from them.
    exports: [
      PluginManager,
      PluginHooks,
      PluginHealthIndicator,
      PLUGIN_REFERENCES,
      PLUGIN_EXPORTS,
      ...tokens.map((token) => token.provide),
    ],
  };
}
