import type { Type } from '@nestjs/common';
import type { PluginTypeName } from './plugin-type.js';

/** Milliseconds each lifecycle phase may take before it is `PLUGIN_TIMEOUT`. */
export interface PluginTimeouts {
  initialize: number;
  cleanup: number;
  healthCheck: number;
}

/** What a plugin declares in `@Plugin({...})`. Readable without running plugin code. */
export interface PluginMetadata<C extends object = object> {
  /** Unique plugin name; the key of `@InjectPlugin(name)`, of `config[name]` and of env vars `PLUGIN_<NAME>_*`. */
  name: string;
  /** `PluginType.*` or any custom string; the key of `@InjectPlugins(type)`. */
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
}
