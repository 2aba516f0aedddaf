import type { Provider } from '@nestjs/common';
import { DiscoveryService, ModuleRef } from '@nestjs/core';
import type { PackageDiscovery } from './discovery/package-discovery.js';
import { PluginHealthIndicator } from './health/plugin-health.indicator.js';
import { PluginHooks } from './hooks/plugin-hooks.service.js';
import type { PluginExports, PluginReferences } from './injection/index.js';
import type { IsolationSupervisor } from './isolation/index.js';
import type { LazyLoader, LifecycleRunner, PluginLoader, PluginPhases, RuntimeOperations } from './lifecycle/index.js';
import type { ResolvedPluginOptions } from './lifecycle/resolved-options.js';
import { isModulePlugin } from './manifest/module-fields.js';
import { PluginManager } from './manager/plugin-manager.js';
import {
  ISOLATION_SUPERVISOR,
  LAZY_LOADER,
  LIFECYCLE_RUNNER,
  PLUGIN_EXPORTS,
  PLUGIN_LOADER,
  PLUGIN_MODULE_OPTIONS,
  PLUGIN_PHASES,
  PLUGIN_REFERENCES,
  PLUGIN_REGISTRY,
  PLUGIN_ROUTES,
  RESOLVED_PLUGIN_OPTIONS,
  RUNTIME_OPERATIONS,
  STATE_BOOT,
  STATE_SYNC,
} from './plugin.constants.js';
import type { PluginModuleOptions, PluginModuleStaticOptions } from './plugin-module-options.interface.js';
import type { PluginRegistry } from './registry/index.js';
import type { StateBoot, StateSync } from './state/index.js';

/** What the providers below build as the app boots (boot.ts): loaded then, not when the library is imported. */
const boot = (): Promise<typeof import('./boot.js')> => import('./boot.js');

/** What `PluginModule` knows when it is declared. */
interface HostDeclaration {
  statics: PluginModuleStaticOptions;
  /** The package manifests, read once as the module was declared. */
  packages: PackageDiscovery;
  /** Whether a `@Plugin()` provider's name passes `discovery.include`/`exclude`. */
  acceptedProvider: (name?: string) => boolean;
}

/**
 * The host's parts, each built from the ones before it (discover → check → load → run → serve): the registry (state),
 * phases (one plugin's config, initialize, cleanup), the isolation supervisor, the loader (every plugin found at boot,
 * loaded through the gate), lazy loads, the references services inject, the lifecycle, runtime operations, and the
 * public services (manager, hooks, health).
 */
export function hostProviders({ statics, packages, acceptedProvider }: HostDeclaration): Provider[] {
  return [
    {
      // The replicas' store is read before anything else: a replica boots into the stored state.
      provide: STATE_BOOT,
      useFactory: async (given: PluginModuleOptions | undefined) =>
        given?.state ? (await boot()).openState(given.state) : undefined,
      inject: [PLUGIN_MODULE_OPTIONS],
    },
    {
      provide: RESOLVED_PLUGIN_OPTIONS,
      useFactory: async (given: PluginModuleOptions | undefined, state: StateBoot | undefined) => {
        const { resolveOptions, storedDisabled } = await boot();
        const resolved = resolveOptions(given);
        return state ? { ...resolved, disabled: storedDisabled(resolved.disabled, state.stored) } : resolved;
      },
      inject: [PLUGIN_MODULE_OPTIONS, STATE_BOOT],
    },
    {
      provide: PLUGIN_REGISTRY,
      useFactory: async (options: ResolvedPluginOptions) =>
        new (await boot()).PluginRegistry(options.hostVersion, packages.root),
      inject: [RESOLVED_PLUGIN_OPTIONS],
    },
    {
      provide: PLUGIN_PHASES,
      useFactory: async (registry: PluginRegistry, options: ResolvedPluginOptions, moduleRef: ModuleRef) =>
        new (await boot()).PluginPhases(registry, options, moduleRef),
      inject: [PLUGIN_REGISTRY, RESOLVED_PLUGIN_OPTIONS, ModuleRef],
    },
    {
      provide: ISOLATION_SUPERVISOR,
      useFactory: async (
        registry: PluginRegistry,
        options: ResolvedPluginOptions,
        phases: PluginPhases,
        moduleRef: ModuleRef,
      ) => (await boot()).createSupervisor(registry, options, phases, moduleRef),
      inject: [PLUGIN_REGISTRY, RESOLVED_PLUGIN_OPTIONS, PLUGIN_PHASES, ModuleRef],
    },
    {
      provide: PLUGIN_LOADER,
      useFactory: async (
        registry: PluginRegistry,
        supervisor: IsolationSupervisor,
        options: ResolvedPluginOptions,
        discovery: DiscoveryService,
        moduleRef: ModuleRef,
      ) =>
        (await boot()).loadAtBoot({
          registry,
          supervisor,
          options,
          statics,
          packages,
          acceptedProvider,
          discovery,
          moduleRef,
        }),
      inject: [PLUGIN_REGISTRY, ISOLATION_SUPERVISOR, RESOLVED_PLUGIN_OPTIONS, DiscoveryService, ModuleRef],
    },
    {
      provide: LAZY_LOADER,
      useFactory: async (registry: PluginRegistry, loader: PluginLoader, phases: PluginPhases) =>
        new (await boot()).LazyLoader(registry, loader, phases),
      inject: [PLUGIN_REGISTRY, PLUGIN_LOADER, PLUGIN_PHASES],
    },
    {
      provide: PLUGIN_REFERENCES,
      useFactory: async (registry: PluginRegistry, lazy: LazyLoader) =>
        new (await boot()).PluginReferences(registry, (name) => lazy.load(name)),
      inject: [PLUGIN_REGISTRY, LAZY_LOADER],
    },
    {
      provide: PLUGIN_EXPORTS,
      useFactory: async (registry: PluginRegistry) => new (await boot()).PluginExports(registry),
      inject: [PLUGIN_REGISTRY],
    },
    {
      provide: LIFECYCLE_RUNNER,
      useFactory: async (
        registry: PluginRegistry,
        lazy: LazyLoader,
        phases: PluginPhases,
        supervisor: IsolationSupervisor,
        options: ResolvedPluginOptions,
      ) => new (await boot()).LifecycleRunner(registry, lazy, phases, supervisor, options),
      inject: [PLUGIN_REGISTRY, LAZY_LOADER, PLUGIN_PHASES, ISOLATION_SUPERVISOR, RESOLVED_PLUGIN_OPTIONS],
    },
    {
      provide: PLUGIN_ROUTES,
      useFactory: async (
        registry: PluginRegistry,
        references: PluginReferences,
        exports: PluginExports,
        supervisor: IsolationSupervisor,
        runner: LifecycleRunner,
        lazy: LazyLoader,
        options: ResolvedPluginOptions,
        moduleRef: ModuleRef,
      ) => {
        // Most hosts have no module plugin: the routes' code (and Nest's HTTP adapter for plugins) loads only for one that does.
        if (!registry.all().some((record) => isModulePlugin(record.metadata))) return {};
        const { PluginRoutes } = await import('./routes/plugin-routes.js');
        return new PluginRoutes(
          registry,
          { references, exports, supervisor, started: () => runner.started() },
          lazy,
          options,
          moduleRef,
        );
      },
      inject: [
        PLUGIN_REGISTRY,
        PLUGIN_REFERENCES,
        PLUGIN_EXPORTS,
        ISOLATION_SUPERVISOR,
        LIFECYCLE_RUNNER,
        LAZY_LOADER,
        RESOLVED_PLUGIN_OPTIONS,
        ModuleRef,
      ],
    },
    {
      provide: RUNTIME_OPERATIONS,
      useFactory: async (
        registry: PluginRegistry,
        loader: PluginLoader,
        lazy: LazyLoader,
        phases: PluginPhases,
        supervisor: IsolationSupervisor,
        options: ResolvedPluginOptions,
      ) => new (await boot()).RuntimeOperations(registry, loader, lazy, phases, supervisor, options),
      inject: [
        PLUGIN_REGISTRY,
        PLUGIN_LOADER,
        LAZY_LOADER,
        PLUGIN_PHASES,
        ISOLATION_SUPERVISOR,
        RESOLVED_PLUGIN_OPTIONS,
      ],
    },
    {
      provide: STATE_SYNC,
      useFactory: async (
        state: StateBoot | undefined,
        registry: PluginRegistry,
        operations: RuntimeOperations,
        runner: LifecycleRunner,
      ) => state && new (await boot()).StateSync(state, registry, operations, () => runner.started()),
      // The loader: every plugin found at boot has its record before the stored config is set on them.
      inject: [STATE_BOOT, PLUGIN_REGISTRY, RUNTIME_OPERATIONS, LIFECYCLE_RUNNER, PLUGIN_LOADER],
    },
    {
      provide: PluginManager,
      useFactory: async (
        registry: PluginRegistry,
        runner: LifecycleRunner,
        lazy: LazyLoader,
        operations: RuntimeOperations,
        references: PluginReferences,
        routes: object,
        sync: StateSync | undefined,
      ) => new (await boot()).RegistryPluginManager(registry, runner, lazy, operations, references, routes, sync),
      inject: [
        PLUGIN_REGISTRY,
        LIFECYCLE_RUNNER,
        LAZY_LOADER,
        RUNTIME_OPERATIONS,
        PLUGIN_REFERENCES,
        PLUGIN_ROUTES,
        STATE_SYNC,
      ],
    },
    {
      provide: PluginHooks,
      useFactory: async (registry: PluginRegistry, references: PluginReferences, options: ResolvedPluginOptions) =>
        new (await boot()).HookRunner(registry, references, options),
      inject: [PLUGIN_REGISTRY, PLUGIN_REFERENCES, RESOLVED_PLUGIN_OPTIONS],
    },
    {
      provide: PluginHealthIndicator,
      useFactory: async (registry: PluginRegistry, options: ResolvedPluginOptions, sync: StateSync | undefined) =>
        new (await boot()).PluginHealthChecks(registry, options, sync),
      inject: [PLUGIN_REGISTRY, RESOLVED_PLUGIN_OPTIONS, STATE_SYNC],
    },
  ];
}
