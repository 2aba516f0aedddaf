import { hasName } from '../discovery/name-filter.js';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import type { GateContext } from '../gate/index.js';
import { checkCompatibility, classShapeProblem, type PluginMetadata } from '../manifest/index.js';
import type { PluginRecord, PluginRegistry } from '../registry/index.js';
import { verifyNpmRequirements } from '../requirements/index.js';
import type { PackageInspection } from '../trust/index.js';
import type { ResolvedPluginOptions } from './resolved-options.js';
import { timeoutsFor } from './run-phase.js';

/** The gate's context, plus the import's time limit (a module whose top level never finishes must not hold boot). */
export interface LoadContext extends GateContext {
  importTimeoutMs(metadata: PluginMetadata): number;
}

/** The gate's context for this host (`inspections`: share package readings within one pass only). */
export function loadContext(
  registry: PluginRegistry,
  options: ResolvedPluginOptions,
  inspections?: Map<string, PackageInspection>,
): LoadContext {
  return {
    trust: options.trust,
    hostVersion: options.hostVersion,
    acceptIncompatible: options.acceptIncompatible,
    root: registry.root,
    inspections,
    warn: (record, line) => registry.addWarning(record, line),
    importTimeoutMs: (metadata) => timeoutsFor(metadata, options).initialize,
  };
}

/** Only a package can be isolated: its entry file is what the isolate loads. */
export function isolationProblem(record: PluginRecord, tier: PluginRecord['isolation']): PluginError | undefined {
  if (tier === 'in-process' || record.package) return undefined;
  return new PluginError(
    PluginErrorCode.LOAD_FAILED,
    `plugin "${record.name}" (${record.source.description}) is set to run in a ${tier}, but only plugin packages can be isolated. Publish it as a package with a nestPlugin manifest, or run it in-process.`,
    { plugin: record.name },
  );
}

/**
 * What only an imported class can show: a compatibility range or npm requirements the class declares beyond its
 * manifest, and a shape the host cannot hold (a `then` method). `manifest`: the declaration checked before the import.
 */
export function classProblem(
  record: Pick<PluginRecord, 'name' | 'pluginClass' | 'metadata' | 'source' | 'folder'>,
  manifest: PluginMetadata,
  gate: GateContext,
  warn: (line: string) => void = () => undefined,
): PluginError | undefined {
  const shape = classShapeProblem(record.pluginClass, record.source.description);
  if (shape) return shape;
  if (manifest.compatibility === undefined) {
    const verdict = checkCompatibility(
      record.metadata,
      gate.hostVersion,
      hasName(gate.acceptIncompatible, record.name),
    );
    if (!verdict.compatible) return verdict.error;
  }
  const { error, notes } = verifyNpmRequirements(record.name, record.metadata, record.folder, gate.root);
  for (const line of notes) warn(line);
  return error;
}
