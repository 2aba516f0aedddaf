import { wildcardMatcher, wildcardToRegExp } from '../discovery/name-filter.js';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import type { PluginRecord } from '../registry/index.js';
import { packageIntegrity } from './package-integrity.js';

/** Module option `trust`: which plugins may load at all, and pinned package contents. */
export interface TrustPolicy {
  /** Only plugins whose name or package name matches (`*` wildcards) are trusted. Absent: all are. */
  allow?: string[];
  /** Never these (wins over `allow`). */
  deny?: string[];
  /** Package name → `sha512-…` digest of its files (`npx nest-plugin-integrity <folder>` prints it). */
  integrity?: Record<string, string>;
  /** What happens to a plugin not on `allow`: `refuse` (default), or run it in the `process` tier. */
  untrusted?: 'refuse' | 'process';
}

/** The trust verdict: refused (with the rule), forced into the process tier, or fine. */
export type TrustVerdict = { refused: PluginError } | { forceProcess: true } | undefined;

/**
 * Checks a plugin against the policy before any of its code is imported:
 * deny rules, then the allow list, then the pinned integrity of its package.
 */
export function checkTrust(record: PluginRecord, policy: TrustPolicy | undefined, digests = new Map<string, string>()): TrustVerdict {
  if (!policy) return undefined;
  const names = [record.name, record.source.package];
  const label = `plugin "${record.name}"${record.source.package ? ` (package ${record.source.package})` : ''}`;
  const refuse = (why: string, details: Record<string, unknown>): TrustVerdict => ({
    refused: new PluginError(PluginErrorCode.UNTRUSTED, `${label} is refused: ${why}. It was not imported.`, { plugin: record.name, details }),
  });

  const denied = (policy.deny ?? []).find((pattern) => names.some((name) => name !== undefined && wildcardToRegExp(pattern).test(name)));
  if (denied) return refuse(`it matches trust.deny rule "${denied}"`, { rule: `deny:${denied}` });

  if (policy.allow && !wildcardMatcher(policy.allow)(...names)) {
    if (policy.untrusted === 'process' && record.package) return { forceProcess: true };
    return refuse(
      `it is not on trust.allow (${policy.allow.map((p) => `"${p}"`).join(', ')})${policy.untrusted === 'process' ? ' and it is not a package, so it cannot run in the process tier' : ''}. Add it to trust.allow if you trust it`,
      { rule: 'allow' },
    );
  }

  const pinned = record.source.package ? policy.integrity?.[record.source.package] : undefined;
  if (pinned && record.package) {
    let actual = digests.get(record.package.dir);
    if (!actual) digests.set(record.package.dir, (actual = packageIntegrity(record.package.dir)));
    if (actual !== pinned) {
      return refuse(
        `its files do not match trust.integrity["${record.source.package}"] (expected ${pinned}, found ${actual}). If the change is intended, pin the new digest (npx nest-plugin-integrity ${record.package.dir})`,
        { rule: 'integrity', expected: pinned, actual },
      );
    }
  }
  return undefined;
}
