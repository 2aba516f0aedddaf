import { readFileSync } from 'node:fs';
import { dirname, join, parse as parsePath } from 'node:path';
import type { OptionalRequirement } from '../manifest/plugin-metadata.interface.js';
import { parseRequirement, type NpmRequirement } from '../manifest/requirement-spec.js';
import { semver } from '../manifest/semver.js';

/** What was found for one requirement. */
interface RequirementOutcome {
  requirement: NpmRequirement;
  /** The installed version, when there is one. */
  found?: string;
  satisfied: boolean;
}

/**
 * The version of `name` that Node would resolve from `fromDir`: the first
 * `node_modules/<name>/package.json` walking up from `fromDir`. Read directly,
 * so packages whose `exports` hide their package.json are found too.
 */
export function installedVersion(name: string, fromDir: string): string | undefined {
  const { root } = parsePath(fromDir);
  for (let dir = fromDir; ; dir = dirname(dir)) {
    try {
      const version = (
        JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version?: unknown }
      ).version;
      return typeof version === 'string' ? version : '0.0.0';
    } catch {
      // not installed at this level (or unreadable): keep walking up
    }
    if (dir === root) return undefined;
  }
}

/** Checks each requirement against what is installed from `fromDir`. Specs must be valid (see `parseRequirement`). */
export function checkRequirements(specs: readonly string[], fromDir: string): RequirementOutcome[] {
  return specs.map((spec) => {
    const requirement = parseRequirement(spec) as NpmRequirement;
    const found = installedVersion(requirement.name, fromDir);
    const satisfied = found !== undefined && semver().satisfies(found, requirement.range, { includePrerelease: true });
    return { requirement, found, satisfied };
  });
}

/** The `npm install` command that fixes the unsatisfied outcomes. */
export function installCommand(outcomes: readonly RequirementOutcome[]): string {
  return `npm install ${outcomes.map((outcome) => `"${outcome.requirement.spec}"`).join(' ')}`;
}

/** "not installed" or "found 1.2.0". */
export function describeOutcome(outcome: RequirementOutcome): string {
  return `${outcome.requirement.spec} (${outcome.found === undefined ? 'not installed' : `found ${outcome.found}`})`;
}

/** Optional requirements in one shape. */
export function optionalSpecs(
  optional: readonly (string | OptionalRequirement)[],
): { spec: string; feature?: string }[] {
  return optional.map((entry) =>
    typeof entry === 'string' ? { spec: entry } : { spec: entry.package, feature: entry.feature },
  );
}
