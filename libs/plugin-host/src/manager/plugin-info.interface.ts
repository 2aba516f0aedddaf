import type { PluginErrorCode } from '../errors/index.js';
import type { PluginTypeName } from '../manifest/index.js';
import type { PluginSource, PluginState, PluginTimings } from '../registry/index.js';

/** One plugin as `PluginManager` shows it (a copy: changing it changes nothing). */
export interface PluginInfo {
  name: string;
  type: PluginTypeName;
  version: string;
  description?: string;
  state: PluginState;
  source: PluginSource;
  required: boolean;
  /** Imported and initialized on first use (state `discovered` until then). */
  lazy: boolean;
  compatibility?: string;
  dependencies: Record<string, string>;
  /** Why the plugin is `failed`. */
  error?: { code: PluginErrorCode; message: string };
  /** ms per phase that ran. */
  timings: PluginTimings;
  warnings: string[];
  /** A module plugin's routes (method and full path, e.g. `GET /api/models-api/models`); absent for other plugins. */
  routes?: { method: string; path: string }[];
}

/** What a runtime operation returns: the plugin's new info, and the other plugins it changed on the way. */
export interface PluginOperationResult extends PluginInfo {
  /** Dependencies that `enable` enabled first. */
  alsoEnabled?: string[];
  /** Dependents that `disable` disabled first (reverse dependency order). */
  alsoDisabled?: string[];
}

/** What `PluginManager.list()` keeps: plugins of a type, in a state, or both. */
export interface PluginListFilter {
  type?: PluginTypeName;
  state?: PluginState;
}

/** The startup report: every plugin with its outcome and ms per phase. */
export interface PluginStartupReport {
  hostVersion: string;
  /** When plugin startup began (ISO time). */
  startedAt: string;
  /** Wall time of the whole plugin startup, ms (absent until the application has initialized). */
  durationMs?: number;
  /** How many plugins ended in each state. */
  summary: Partial<Record<PluginState, number>>;
  plugins: PluginReportEntry[];
}

/** One plugin's line in the startup report: where it came from, its state and what its start cost. */
export interface PluginReportEntry {
  name: string;
  version: string;
  type: PluginTypeName;
  source: string;
  outcome: PluginState;
  error?: { code: PluginErrorCode; message: string };
  /** ms per startup phase that ran: load, configure, requirements, initialize. */
  phases: PluginTimings;
  totalMs: number;
}
