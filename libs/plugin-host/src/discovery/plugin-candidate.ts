import type { Type } from '@nestjs/common';
import type { PluginError } from '../errors/index.js';
import type { PluginMetadata } from '../manifest/index.js';
import type { PluginPackage, PluginSource } from '../registry/index.js';

/** A plugin as found, before any check: its class or package, what it declares, where it came from. */
export interface PluginCandidate {
  /** Absent for package plugins: their class is imported only once they pass the checks. */
  pluginClass?: Type<object>;
  /** Absent when the class has no `@Plugin()` decorator (or the manifest could not be read). */
  metadata?: PluginMetadata;
  source: PluginSource;
  /** For plugins Nest instantiates: reads the instance once DI has run. */
  resolveInstance?: () => object | undefined;
  /** For package plugins: where the code is. */
  package?: PluginPackage;
  /** Imported on first use (manifest `lazy`, or `discovery.lazy`). */
  lazy?: boolean;
  /** A problem found in the manifest before import: the plugin is `failed` with it. */
  error?: PluginError;
  /** Notes about the manifest (unknown fields). */
  warnings?: string[];
}
