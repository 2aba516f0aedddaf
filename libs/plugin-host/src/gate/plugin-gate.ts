import { hasName } from '../discovery/name-filter.js';
import { readPackagePlugins, resolveRealEntry } from '../discovery/index.js';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import { checkCompatibility, validatePluginMetadata, type PluginMetadata } from '../manifest/index.js';
import type { PluginPackage, PluginRecord } from '../registry/index.js';
import { verifyNpmRequirements } from '../requirements/index.js';
import { checkIntegrity, checkTrustRules, pinOf, type PackageInspection, type TrustPolicy } from '../trust/index.js';

/** What the gate checks against: the host's policy and versions. */
export interface GateContext {
  trust?: TrustPolicy;
  hostVersion: string;
  /** Lower-cased names (`hasName`). */
  acceptIncompatible: ReadonlySet<string>;
  /** The host's folder: class plugins' npm `requires` resolve from it, paths in messages are relative to it. */
  root: string;
  /** Shares one reading of a package among the plugins it declares, within one pass (boot). Never kept longer. */
  inspections?: Map<string, PackageInspection>;
  /** Keeps a note from a check (e.g. no compatibility range) on the plugin's record. */
  warn(record: PluginRecord, line: string): void;
}

/** What passed the gate: the declaration as it is now, and what to import. */
export interface Admission {
  /** The manifest (package plugins: as on disk now) or the decorator metadata. */
  metadata: PluginMetadata;
  /** Package plugins: the package as its manifest declares it now. */
  pkg?: PluginPackage;
  /** Package plugins: the real path of the entry file, what is imported. */
  entry?: string;
  /** Not on `trust.allow`, with `untrusted: 'process'`: it may only run in the process tier. */
  forceProcess: boolean;
}

/** A package plugin's declaration as just read (boot reads it once, and the gate uses that reading). */
export interface FreshManifest {
  metadata: PluginMetadata;
  pkg: PluginPackage;
}

/**
 * The one gate before any plugin code runs. Every path that imports a plugin's
 * code or builds a refused class plugin — boot, enable, reload, lazy first use,
 * an isolate's start and restart — calls it immediately before, and imports what
 * it returns. In this order: the trust rules (allow, deny), the manifest (re-read
 * from disk unless `fresh`), entry confinement (the real file, no symlink out),
 * compatibility, npm requirements, and the integrity pin (hashed now). Notes
 * (e.g. no compatibility range) go to `context.warn`.
 *
 * @throws PluginError the first check that refuses, with its code and what to do
 */
export function admitPlugin(record: PluginRecord, context: GateContext, fresh?: FreshManifest): Admission {
  const verdict = checkTrustRules(record, context.trust);
  if (verdict && 'refused' in verdict) throw verdict.refused;
  const forceProcess = verdict !== undefined;
  if (forceProcess && record.isolation !== undefined && record.isolation !== 'process') {
    throw new PluginError(
      PluginErrorCode.UNTRUSTED,
      `plugin "${record.name}" is not on trust.allow, so it may only run in the process tier, but it runs ${record.isolation}. Restart the host to move it, or add it to trust.allow.`,
      { plugin: record.name, details: { rule: 'allow' } },
    );
  }

  const current = record.package ? (fresh ?? rereadManifest(record, record.package, context.root)) : undefined;
  const metadata = current?.metadata ?? record.metadata;
  if (!current) {
    const invalid = validatePluginMetadata(metadata, record.source.description);
    if (invalid) throw invalid;
  }

  const pkg = current?.pkg;
  const entry = pkg && resolveRealEntry(record.name, pkg, record.source);
  if (entry instanceof PluginError) throw entry;

  const compatibility = checkCompatibility(
    metadata,
    context.hostVersion,
    hasName(context.acceptIncompatible, record.name),
  );
  if (!compatibility.compatible) throw compatibility.error;
  if (compatibility.warning) context.warn(record, compatibility.warning);

  const requirements = verifyNpmRequirements(record.name, metadata, record.folder, context.root);
  for (const line of requirements.notes) context.warn(record, line);
  if (requirements.error) throw requirements.error;

  const pinned = pkg && pinOf(context.trust, pkg.name);
  if (pkg && entry && pinned) {
    const problem = checkIntegrity(record, pkg, entry, pinned, context.inspections);
    if (problem) throw problem;
  }
  return { metadata, pkg, entry, forceProcess };
}

/** The plugin's `nestPlugin` entry as it is on disk now, for the same package. */
function rereadManifest(record: PluginRecord, pkg: PluginPackage, root: string): FreshManifest {
  const kind = record.source.kind === 'path' ? 'path' : 'package';
  const file = record.source.file ?? pkg.dir;
  const candidate = (readPackagePlugins({ dir: pkg.dir, realDir: pkg.dir, kind, root }) ?? []).find(
    (found) => found.metadata?.name === record.name,
  );
  if (!candidate?.package || !candidate.metadata) {
    throw new PluginError(
      PluginErrorCode.MANIFEST_INVALID,
      `plugin "${record.name}": ${file} no longer declares it. Restore its "nestPlugin" entry.`,
      {
        plugin: record.name,
        details: { file },
      },
    );
  }
  if (candidate.error) throw candidate.error;
  if (candidate.package.name !== pkg.name) {
    // Trust rules and pins are keyed by the package name the host started with.
    throw new PluginError(
      PluginErrorCode.MANIFEST_INVALID,
      `plugin "${record.name}": ${file} now names the package "${candidate.package.name}", not "${pkg.name}". Restore the name, or restart the host to load it as a new package.`,
      { plugin: record.name, details: { file, fields: ['name'] } },
    );
  }
  return { metadata: candidate.metadata, pkg: candidate.package };
}
