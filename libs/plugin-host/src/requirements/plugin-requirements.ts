import { PluginError, PluginErrorCode } from '../errors/index.js';
import type { PluginMetadata } from '../manifest/index.js';
import { checkRequirements, describeOutcome, installCommand, optionalSpecs } from './npm-requirements.js';

interface RequirementVerdict {
  /** `PLUGIN_DEPENDENCY_MISSING` when a required package is missing or out of range. */
  error?: PluginError;
  /** One line per optional package that is not there: what installing it would add. */
  notes: string[];
}

/**
 * Checks a plugin's `requires` and `optionalRequires` against the packages
 * installed where the plugin lives (resolved from `folder` upwards).
 *
 * @param installDir where the `npm install` the message suggests must run
 */
export function verifyNpmRequirements(
  name: string,
  metadata: PluginMetadata,
  folder: string,
  installDir: string,
): RequirementVerdict {
  const where = (command: string): string =>
    `${command}${installDir === folder || folder.startsWith(installDir) ? '' : ` (in ${folder})`}`;
  const missing = checkRequirements(metadata.requires ?? [], folder).filter((outcome) => !outcome.satisfied);
  const error = missing.length
    ? new PluginError(
        PluginErrorCode.DEPENDENCY_MISSING,
        `plugin "${name}" needs npm package${missing.length > 1 ? 's' : ''} ${missing.map(describeOutcome).join(', ')}. Run: ${where(installCommand(missing))}, then restart the host.`,
        {
          plugin: name,
          details: { missing: missing.map((outcome) => ({ ...outcome.requirement, found: outcome.found })), folder },
        },
      )
    : undefined;

  const notes: string[] = [];
  for (const { spec, feature } of optionalSpecs(metadata.optionalRequires ?? [])) {
    const [outcome] = checkRequirements([spec], folder);
    if (outcome.satisfied) continue;
    notes.push(
      `plugin "${name}" can use optional npm package ${describeOutcome(outcome)}${feature ? ` for ${feature}` : ''}; to get it, run: ${where(installCommand([outcome]))}.`,
    );
  }
  return { error, notes };
}
