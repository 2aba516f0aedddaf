import { relative, sep } from 'node:path';
import { wildcardMatcher } from '../discovery/name-filter.js';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import type { PluginPackage, PluginRecord } from '../registry/index.js';
import { inspectPackage, UNPINNED_FOLDERS, type PackageInspection } from './package-integrity.js';

/** Module option `trust`: which plugins may load at all, and pinned package contents. */
export interface TrustPolicy {
  /** Only plugins whose name or package name matches (`*` wildcards, case-insensitive) are trusted. Absent: all are. */
  allow?: string[];
  /** Never these (case-insensitive; wins over `allow`). */
  deny?: string[];
  /** Package name → `sha512-…` digest of its files (`npx nest-plugin-integrity <folder>` prints it). */
  integrity?: Record<string, string>;
  /** What happens to a plugin not on `allow`: `refuse` (default), or run it in the `process` tier. */
  untrusted?: 'refuse' | 'process';
}

/** The verdict of the allow and deny rules: refused (with the rule), forced into the process tier, or fine. */
type TrustVerdict = { refused: PluginError } | { forceProcess: true } | undefined;

type Named = Pick<PluginRecord, 'name' | 'source' | 'package'>;

function refusal(record: Named, why: string, details: Record<string, unknown>): PluginError {
  const label = `plugin "${record.name}"${record.source.package ? ` (package ${record.source.package})` : ''}`;
  return new PluginError(PluginErrorCode.UNTRUSTED, `${label} is refused: ${why}. It was not imported.`, {
    plugin: record.name,
    details,
  });
}

/** The allow and deny rules, matched against the plugin's and its package's names, ignoring case. */
export function checkTrustRules(record: Named, policy: TrustPolicy | undefined): TrustVerdict {
  if (!policy) return undefined;
  const names = [record.name, record.source.package];
  const denied = (policy.deny ?? []).find((pattern) => wildcardMatcher([pattern], true)(...names));
  if (denied) return { refused: refusal(record, `it matches trust.deny rule "${denied}"`, { rule: `deny:${denied}` }) };

  if (policy.allow && !wildcardMatcher(policy.allow, true)(...names)) {
    if (policy.untrusted === 'process' && record.package) return { forceProcess: true };
    const why = `it is not on trust.allow (${policy.allow.map((p) => `"${p}"`).join(', ')})${policy.untrusted === 'process' ? ' and it is not a package, so it cannot run in the process tier' : ''}. Add it to trust.allow if you trust it`;
    return { refused: refusal(record, why, { rule: 'allow' }) };
  }
  return undefined;
}

/** The pin of a package, if the policy has one (looked up as an own key: a package named "constructor" has no pin by accident). */
export function pinOf(policy: TrustPolicy | undefined, packageName: string | undefined): string | undefined {
  const pins = policy?.integrity;
  if (!pins || packageName === undefined || !Object.hasOwn(pins, packageName)) return undefined;
  return pins[packageName];
}

/**
 * What a pin promises, checked now: the entry lies in the files the digest covers
 * (not under `node_modules/` or `.git/`), no symlink in the package leads out of
 * it, and the files' digest is the pinned one. `inspections` shares one reading of
 * a package among the plugins it declares within one check; never keep it longer.
 */
export function checkIntegrity(
  record: Named,
  pkg: PluginPackage,
  realEntry: string,
  pinned: string,
  inspections?: Map<string, PackageInspection>,
): PluginError | undefined {
  const fix = `a pinned package must be self-contained`;
  const entry = relative(pkg.dir, realEntry).split(sep);
  const unpinned = entry.find((segment) => UNPINNED_FOLDERS.includes(segment));
  if (unpinned) {
    return refusal(
      record,
      `its entry ${entry.join('/')} is inside ${unpinned}/, which trust.integrity does not cover (${fix}). Move the entry into the package's own files`,
      {
        rule: 'integrity',
        file: realEntry,
      },
    );
  }
  let inspection = inspections?.get(pkg.dir);
  if (!inspection) {
    inspection = inspectPackage(pkg.dir);
    inspections?.set(pkg.dir, inspection);
  }
  if (inspection.uncovered.length > 0) {
    return refusal(
      record,
      `trust.integrity cannot cover ${inspection.uncovered.join(', ')} (${fix}). Replace links with the files they point to, and remove anything else that is not a regular file`,
      { rule: 'integrity', uncovered: inspection.uncovered },
    );
  }
  if (inspection.digest !== pinned) {
    return refusal(
      record,
      `its files do not match trust.integrity["${pkg.name}"] (expected ${pinned}, found ${inspection.digest}). If the change is intended, pin the new digest (npx nest-plugin-integrity ${pkg.dir})`,
      { rule: 'integrity', expected: pinned, actual: inspection.digest },
    );
  }
  return undefined;
}
