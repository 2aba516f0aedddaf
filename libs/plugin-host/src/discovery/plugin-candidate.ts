import type { Type } from '@nestjs/common';
import type { PluginMetadata } from '../manifest/index.js';
import type { PluginSource } from '../registry/index.js';

/** A plugin as found, before any check: its class, what it declares, where it came from. */
export interface PluginCandidate {
  pluginClass: Type<object>;
  /** Absent when the class has no `@Plugin()` decorator. */
  metadata?: PluginMetadata;
  source: PluginSource;
  /** For plugins Nest instantiates: reads the instance once DI has run. */
  resolveInstance?: () => object | undefined;
}
