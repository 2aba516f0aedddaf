import type { Type } from '@nestjs/common';
import type { PluginError } from '../errors/index.js';
import type { PluginMetadata } from '../manifest/index.js';
import type { PluginState } from './plugin-state.js';

/** Where a plugin was found. */
export interface PluginSource {
  /** `module-options`: listed in `plugins`; `provider`: a `@Plugin()` provider somewhere in the app's modules. */
  kind: 'module-options' | 'provider';
  /** Human-readable, e.g. `class PyodPlugin in PluginModule options`. */
  description: string;
}

/** Milliseconds spent in each phase (absent: the phase did not run). */
export interface PluginTimings {
  load?: number;
  configure?: number;
  initialize?: number;
  cleanup?: number;
}

/**
 * The single record of one plugin. Everything else (manager, health, tokens)
 * reads it; state changes only through `PluginRegistry.transition`.
 */
export interface PluginRecord {
  readonly name: string;
  readonly metadata: PluginMetadata;
  readonly pluginClass: Type<object>;
  readonly source: PluginSource;
  readonly required: boolean;
  state: PluginState;
  error?: PluginError;
  /** The live plugin object, once instantiated. */
  instance?: object;
  /** For plugins Nest instantiates itself: reads the instance once DI has run. */
  readonly resolveInstance?: () => object | undefined;
  /** The validated config `initialize` received. */
  config?: object;
  timings: PluginTimings;
  /** Notes from the checks (e.g. no compatibility range declared). */
  warnings: string[];
}
