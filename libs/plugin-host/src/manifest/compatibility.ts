import { PluginError, PluginErrorCode } from '../errors/index.js';
import type { PluginMetadata } from './plugin-metadata.interface.js';
import { semver } from './semver.js';

type CompatibilityVerdict = { compatible: true; warning?: string } | { compatible: false; error: PluginError };

/**
 * Checks a plugin's `compatibility` range against the host version, before the
 * plugin is loaded. `accepted`: the operator listed the plugin in
 * `acceptIncompatible`, so a mismatch is only a warning.
 */
export function checkCompatibility(
  metadata: PluginMetadata,
  hostVersion: string,
  accepted: boolean,
): CompatibilityVerdict {
  const { name, version, compatibility } = metadata;
  if (compatibility === undefined) {
    return {
      compatible: true,
      warning: `plugin "${name}" declares no compatibility range; it is assumed to work with host ${hostVersion}. Add compatibility: "^${semver().major(hostVersion)}.${semver().minor(hostVersion)}.0" to its @Plugin().`,
    };
  }
  if (satisfies(hostVersion, compatibility)) return { compatible: true };
  if (accepted) {
    return {
      compatible: true,
      warning: `plugin "${name}"@${version} requires host ${compatibility} but the host is ${hostVersion}; loading it anyway because it is listed in acceptIncompatible.`,
    };
  }
  return {
    compatible: false,
    error: new PluginError(
      PluginErrorCode.INCOMPATIBLE,
      `plugin "${name}"@${version} requires host ${compatibility} but the host is ${hostVersion}. Install a version of "${name}" built for ${hostVersion}, or list "${name}" in acceptIncompatible to load it anyway.`,
      { plugin: name, details: { compatibility, hostVersion } },
    ),
  };
}

// Every plugin of a host is checked against the same version, mostly with the same few ranges.
const verdicts = new Map<string, boolean>();

function satisfies(version: string, range: string): boolean {
  const key = `${version}\0${range}`;
  let ok = verdicts.get(key);
  if (ok === undefined) verdicts.set(key, (ok = semver().satisfies(version, range, { includePrerelease: true })));
  return ok;
}
