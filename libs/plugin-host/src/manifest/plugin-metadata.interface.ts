import type { DynamicModule, ForwardReference, Provider, Type } from '@nestjs/common';
import type { PluginTypeName } from './plugin-type.js';

/** Where a plugin runs. */
export const ISOLATION_TIERS = ['in-process', 'worker', 'process'] as const;
export type IsolationTier = (typeof ISOLATION_TIERS)[number];

/** Milliseconds each lifecycle phase may take before it is `PLUGIN_TIMEOUT`. */
export interface PluginTimeouts {
  initialize: number;
  cleanup: number;
  healthCheck: number;
  /** Each `@OnHook()` implementation call. */
  hook: number;
}

/** What a plugin declares in `@Plugin({...})`. Readable without running plugin code. */
export interface PluginMetadata<C extends object = object> {
  /** Unique plugin name; the key of `@InjectPlugin(name)`, of `config[name]` and of env vars `PLUGIN_<NAME>_*`. */
  name: string;
  /** Any non-empty string the host and its plugins agree on; the key of `@InjectPlugins(type)`. */
  type: PluginTypeName;
  /** The plugin's own semver version, checked against other plugins' `dependencies` ranges. */
  version: string;
  /** One line for listings. */
  description?: string;
  /** Semver range the host version must satisfy. Missing: assumed compatible, with a warning. */
  compatibility?: string;
  /** Other plugins this one needs, by name, with a semver range. They start first and stop last. */
  dependencies?: Record<string, string>;
  /** A class-validator decorated class; its property initialisers are the defaults. */
  configSchema?: Type<C>;
  /** `true`: bootstrap fails if this plugin fails. Default `false`. */
  required?: boolean;
  /** Per-plugin phase timeouts (module option `pluginTimeouts` overrides these). */
  timeouts?: Partial<PluginTimeouts>;
  /**
   * npm packages the plugin needs, as `"name@range"` (e.g. `"onnxruntime-node@>=1.16"`), resolved from the
   * plugin's own folder. Missing or out of range: the plugin is `failed` with `PLUGIN_DEPENDENCY_MISSING`.
   */
  requires?: string[];
  /** Host providers the plugin asks for with `ctx.get(token)`; the host must also `expose` them. */
  inject?: (string | symbol | Type<unknown>)[];
  /** Where the plugin wants to run (a package manifest's `isolation`); the host's `isolation` option wins. */
  isolation?: IsolationTier;
  /** npm packages the plugin can do more with; when absent, the host only logs what installing them would add. */
  optionalRequires?: (string | OptionalRequirement)[];
  /**
   * Nest controllers the plugin serves (a module plugin): under `/<global prefix>/<routePrefix>`, while the plugin is
   * enabled; 503 with the plugin's error otherwise.
   */
  controllers?: Type<unknown>[];
  /** Providers of the plugin's own module: what its controllers use. Private to the plugin. */
  providers?: Provider[];
  /**
   * Provider classes (from `providers`) the host and the plugins that list this one in `dependencies` may inject, by
   * class: a stable reference that follows reloads and throws `PLUGIN_DISABLED` while the plugin is disabled.
   */
  exports?: Type<unknown>[];
  /** Nest modules the plugin's providers need (e.g. `HttpModule`). */
  imports?: (Type<unknown> | DynamicModule | Promise<DynamicModule> | ForwardReference)[];
  /** The path of the plugin's routes under the app's global prefix. Default: `plugins/<name>`. */
  routePrefix?: string;
}

/** An optional npm package and what it adds. */
export interface OptionalRequirement {
  /** `"name@range"`, as in `requires`. */
  package: string;
  /** What the plugin gains with it, e.g. `"GPU inference"`. */
  feature?: string;
}
