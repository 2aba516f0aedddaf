import type { ConfigurableModuleAsyncOptions, InjectionToken, ModuleMetadata, Type } from '@nestjs/common';
import type { CrashBudget, IsolationRule, IsolationTier } from './isolation/isolation-settings.js';
import type { PluginDiscoveryOptions } from './discovery/discovery-options.js';
import type { TrustPolicy } from './trust/trust-policy.js';
import type { PluginTimeouts } from './manifest/index.js';
import type { PluginStateOptions } from './contracts/plugin-state-store.interface.js';

/** Options that may be resolved at runtime (inside DI, e.g. from ConfigService). */
export interface PluginModuleOptions {
  /** The version plugins' `compatibility` ranges are checked against. Default: this library's version. */
  hostVersion?: string;
  /** Config per plugin name; above the schema defaults, below the config file and env vars. */
  config?: Record<string, Record<string, unknown>>;
  /** Plugin names that stay disabled (declared and listed, never initialized). */
  disabled?: string[];
  /** Plugin names whose failure stops bootstrap, in addition to those declaring `required: true`. */
  required?: string[];
  /** Plugin names whose compatibility mismatch is accepted with a warning. */
  acceptIncompatible?: string[];
  /** Phase timeouts for every plugin, ms. Defaults: initialize 10 000, cleanup 5 000, healthCheck 2 000. */
  timeouts?: Partial<PluginTimeouts>;
  /** Phase timeouts for one plugin, by name; wins over `timeouts` and the plugin's own `@Plugin({ timeouts })`. */
  pluginTimeouts?: Record<string, Partial<PluginTimeouts>>;
  /** Where `PLUGIN_<NAME>_CONFIG` and `PLUGIN_<NAME>_<KEY>` are read from. Default: `process.env`. */
  env?: Record<string, string | undefined>;
  /** The hook names the host calls (`PluginHooks.call`); an `@OnHook()` for any other name is a warning at boot. */
  hooks?: string[];
  /**
   * Where plugins run, by plugin name or wildcard: `'worker'`, `'process'`, `'in-process'`, or a rule with limits.
   * Wins over a manifest's `isolation`. Only package plugins can be isolated.
   */
  isolation?: Record<string, IsolationTier | IsolationRule>;
  /** Isolated plugins that crash this often are quarantined (stay `failed` until enabled). Default 3 crashes in 5 minutes. */
  crashBudget?: Partial<CrashBudget>;
  /** Which plugins may load at all: allow/deny lists, pinned package digests, untrusted → process tier. */
  trust?: TrustPolicy;
  /** Host providers plugins may get with `ctx.get(token)` (and only those they declare in `@Plugin({ inject })`). */
  expose?: InjectionToken[];
  /**
   * Catch uncaught exceptions and unhandled rejections raised from an in-process plugin package's code (a timer, a
   * dropped promise): that plugin fails and the host keeps running. Default `true`.
   */
  guardProcess?: boolean;
  /**
   * How long a health result is reused, ms. Requests during a running check share it either way. Default 1000;
   * 0 checks on every request (tests that need a fresh result each time).
   */
  healthCacheMs?: number;
  /**
   * What `/health` lists: `all` plugins (default), or only the `problems` (plugins that are down or failed). With many
   * plugins, `problems` keeps the response small: its size, not the checks, is what a health endpoint pays for then.
   */
  healthDetails?: 'all' | 'problems';
  /**
   * Replicas of the app share their plugins' state through `store`: enable, disable, reload and config updates made
   * on any replica apply on all, and survive restarts (see docs/replicas.md). Off when absent.
   *
   * @example
   * state: { store: new RedisPluginStateStore({ url: 'redis://127.0.0.1:6379', keyPrefix: 'plugins:', cluster: 'demo' }) }
   */
  state?: PluginStateOptions;
}

/** Options Nest needs before it builds the module graph. */
export interface PluginModuleStaticOptions {
  /** `@Plugin()` classes to host. The library instantiates them (with their constructor dependencies). */
  plugins?: Type<object>[];
  /**
   * Find plugin packages installed in the host (`{}` for the defaults). Off when absent: only `plugins` and
   * `@Plugin()` providers are hosted, and no package code is imported.
   */
  discovery?: PluginDiscoveryOptions;
  /** Also host `@Plugin()` classes registered as providers in any module of the app. Default `true`. */
  discoverProviders?: boolean;
  /** Register the module globally, so any module can inject plugins and `PluginManager`. Default `true`. */
  isGlobal?: boolean;
  /** Modules whose providers plugins (and `useFactory`) may inject. */
  imports?: ModuleMetadata['imports'];
}

/** What `PluginModule.forRoot` takes: the runtime options and the static ones together. */
export type PluginModuleSyncOptions = PluginModuleOptions & PluginModuleStaticOptions;

/**
 * A class that makes the runtime options, for `PluginModule.forRootAsync({ useClass })` or `({ useExisting })`.
 *
 * @example
 * @Injectable()
 * class PluginOptions implements PluginOptionsFactory {
 *   constructor(private readonly config: ConfigService) {}
 *   createPluginOptions(): PluginModuleOptions {
 *     return { disabled: this.config.get('DISABLED_PLUGINS')?.split(',') ?? [] };
 *   }
 * }
 */
export interface PluginOptionsFactory {
  createPluginOptions(): PluginModuleOptions | Promise<PluginModuleOptions>;
}

/**
 * What `PluginModule.forRootAsync` takes: the static options, and the runtime options from one of `useFactory`
 * (with `inject`), `useClass` or `useExisting` (a `PluginOptionsFactory`). `imports` serve both the factory and the
 * plugins' injections.
 */
export type PluginModuleAsyncOptions = ConfigurableModuleAsyncOptions<PluginModuleOptions, 'createPluginOptions'> &
  PluginModuleStaticOptions;

/** What `PluginModule.forFeature` declares: plugin names and types a module injects that the host cannot know at boot. */
export interface PluginFeatureOptions {
  /** Names for `@InjectPlugin(name)`. */
  plugins?: string[];
  /** Types for `@InjectPlugins(type)`. */
  types?: string[];
  /** Classes module plugins export (`@Plugin({ exports })`), injected by class. */
  exports?: Type<unknown>[];
}
