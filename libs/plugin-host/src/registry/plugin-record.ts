import type { Type } from '@nestjs/common';
import type { PluginError } from '../errors/index.js';
import type { PluginMetadata } from '../manifest/index.js';
import type { PluginState } from './plugin-state.js';

/** Where a plugin was found. */
export interface PluginSource {
  /**
   * `module-options`: listed in `plugins`; `provider`: a `@Plugin()` provider somewhere in the app's modules;
   * `package`: an installed npm package's `nestPlugin` manifest; `path`: a plugin folder (`discovery.paths`, `PLUGIN_PATHS`).
   */
  kind: 'module-options' | 'provider' | 'package' | 'path';
  /** Human-readable, e.g. `class PyodPlugin in PluginModule options`. */
  description: string;
  /** The npm package that declares the plugin (package and path sources). */
  package?: string;
  /** The package.json that declares it (package and path sources). */
  file?: string;
}

/** Where a package plugin's code is, as its manifest says (checked before anything is imported). */
export interface PluginPackage {
  name: string;
  version: string;
  /** The package folder, symlinks resolved. */
  dir: string;
  /** The file `entry` names, inside `dir`. */
  entryPath: string;
  /** The export holding the plugin class; absent: the default export, else the single `@Plugin()` class. */
  exportName?: string;
}

/** Milliseconds spent in each phase (absent: the phase did not run). */
export interface PluginTimings {
  load?: number;
  configure?: number;
  /** The plugin's own `checkRequirements()`. */
  requirements?: number;
  initialize?: number;
  cleanup?: number;
}

/**
 * The single record of one plugin. Everything else (manager, health, tokens) reads it; it changes only through
 * `PluginRegistry` (its transitions and setters), which is why every field is read-only here.
 */
export interface PluginRecord {
  readonly name: string;
  /** For package plugins: the manifest's, merged with the class's once it is imported. */
  readonly metadata: PluginMetadata;
  /** Absent while a package plugin is not imported (lazy, or refused before import). */
  readonly pluginClass?: Type<object>;
  readonly source: PluginSource;
  /** For package plugins: where to import the class from (re-read by a reload). */
  readonly package?: PluginPackage;
  /** Imported and initialized on first use rather than at boot. */
  readonly lazy: boolean;
  /** Where it runs: decided before its code loads (host option, manifest, trust policy). */
  readonly isolation?: 'in-process' | 'worker' | 'process';
  /** Where the plugin's npm `requires` are resolved from: its package folder, or the host's root. */
  readonly folder: string;
  readonly required: boolean;
  readonly state: PluginState;
  readonly error?: PluginError;
  /** The live plugin object, once instantiated. */
  readonly instance?: object;
  /** For plugins Nest instantiates itself: reads the instance once DI has run. */
  readonly resolveInstance?: () => object | undefined;
  /** The validated config `initialize` (or `configure`) received last. */
  readonly config?: object;
  /** The runtime config changes (`PluginManager.updateConfig`), merged over every other source. */
  readonly configUpdates?: Record<string, unknown>;
  readonly timings: Readonly<PluginTimings>;
  /** Notes from the checks (e.g. no compatibility range declared). */
  readonly warnings: readonly string[];
}
