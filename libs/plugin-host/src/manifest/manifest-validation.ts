import { PluginError, PluginErrorCode, describeValue } from '../errors/index.js';
import { moduleFieldProblems } from './module-fields.js';
import { parseRequirement } from './requirement-spec.js';
import { ISOLATION_TIERS, type PluginMetadata } from './plugin-metadata.interface.js';
import { getPluginMetadata } from './plugin.decorator.js';
import { semver } from './semver.js';

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
// Terminus puts `status` beside the per-plugin entries of the health result.
const RESERVED_NAMES = new Set(['status']);
const TIMEOUT_PHASES = ['initialize', 'cleanup', 'healthCheck', 'hook'];

/**
 * Checks what a plugin declares before anything of it runs. Returns every problem
 * at once, so a plugin author fixes the declaration in one go.
 *
 * @param where how to find the declaration (e.g. `class PyodPlugin in PluginModule options`)
 * @param fix what to edit, ending the message
 */
export function validatePluginMetadata(
  metadata: PluginMetadata,
  where: string,
  fix = 'Fix the @Plugin() declaration.',
  details: Record<string, unknown> = {},
): PluginError | undefined {
  const problems: string[] = [];
  if (metadata === null || typeof metadata !== 'object') {
    return new PluginError(
      PluginErrorCode.MANIFEST_INVALID,
      `a plugin (${where}) declares ${describeValue(metadata)} instead of an object { name, type, version }. ${fix}`,
      {
        details: { ...details, problems: ['the declaration must be an object'] },
      },
    );
  }
  const {
    name,
    type,
    version,
    description,
    compatibility,
    dependencies,
    configSchema,
    required,
    timeouts,
    requires,
    optionalRequires,
    inject,
    isolation,
  } = metadata;

  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    problems.push(`name ${describeValue(name)} must be a string of letters, digits, ".", "_" or "-"`);
  } else if (RESERVED_NAMES.has(name)) {
    problems.push(`name "${name}" is reserved (it is a key of the health result); choose another name`);
  }
  if (typeof type !== 'string' || type.trim() === '') {
    problems.push(`type ${describeValue(type)} must be a non-empty string such as "algorithm"`);
  }
  if (typeof version !== 'string' || !isVersion(version)) {
    problems.push(`version ${describeValue(version)} must be a semver version such as "1.2.0"`);
  }
  if (compatibility !== undefined && (typeof compatibility !== 'string' || !isRange(compatibility))) {
    problems.push(`compatibility ${describeValue(compatibility)} must be a semver range such as "^0.1.0"`);
  }
  if (dependencies !== undefined) {
    if (typeof dependencies !== 'object' || dependencies === null || Array.isArray(dependencies)) {
      problems.push('dependencies must be an object of plugin name to semver range, e.g. { "csv": "^1.0.0" }');
    } else {
      for (const [dependency, range] of Object.entries(dependencies)) {
        if (typeof range !== 'string' || !isRange(range)) {
          problems.push(`dependencies.${dependency} ${describeValue(range)} must be a semver range such as "^1.0.0"`);
        }
      }
    }
  }
  if (description !== undefined && typeof description !== 'string') problems.push('description must be a string');
  if (isolation !== undefined && !(ISOLATION_TIERS as readonly unknown[]).includes(isolation))
    problems.push('isolation must be "in-process", "worker" or "process"');
  if (
    inject !== undefined &&
    (!Array.isArray(inject) || inject.some((token) => !['string', 'symbol', 'function'].includes(typeof token)))
  ) {
    problems.push('inject must be an array of host tokens (names, symbols or classes)');
  }
  if (configSchema !== undefined && typeof configSchema !== 'function') {
    problems.push('configSchema must be a class decorated with class-validator decorators');
  }
  if (required !== undefined && typeof required !== 'boolean') {
    problems.push('required must be true or false');
  }
  if (timeouts !== undefined && (timeouts === null || typeof timeouts !== 'object' || Array.isArray(timeouts))) {
    problems.push(
      `timeouts ${describeValue(timeouts)} must be an object of phase to milliseconds, e.g. { "initialize": 5000 }`,
    );
  } else if (timeouts !== undefined) {
    for (const [phase, ms] of Object.entries(timeouts)) {
      if (!TIMEOUT_PHASES.includes(phase))
        problems.push(`timeouts.${phase} is not a phase (use ${TIMEOUT_PHASES.join(', ')})`);
      else if (!isValidTimeout(ms)) problems.push(`timeouts.${phase} must be a positive number of milliseconds`);
    }
  }

  problems.push(
    ...requirementProblems('requires', requires),
    ...requirementProblems('optionalRequires', optionalRequires),
    ...moduleFieldProblems(metadata as unknown as Record<string, unknown>),
  );

  if (problems.length === 0) return undefined;
  const label = typeof name === 'string' && name !== '' ? `plugin "${name}"` : 'a plugin';
  return new PluginError(
    PluginErrorCode.MANIFEST_INVALID,
    `${label} (${where}) declares an invalid manifest: ${problems.join('; ')}. ${fix}`,
    {
      plugin: typeof name === 'string' ? name : undefined,
      details: { ...details, problems },
    },
  );
}

/**
 * A plugin class the host cannot hold: one with a `then` method (on its prototype,
 * or set by its constructor on `instance`) would make every `await` of it, and
 * Nest's provider resolution, treat it as a promise and call that method.
 */
export function classShapeProblem(pluginClass: unknown, where: string, instance?: object): PluginError | undefined {
  let then: unknown;
  try {
    then =
      instance !== undefined
        ? (instance as { then?: unknown }).then
        : (pluginClass as { prototype?: { then?: unknown } } | undefined)?.prototype?.then;
  } catch (error) {
    then = error;
  }
  if (then === undefined) return undefined;
  const declared: unknown = getPluginMetadata(pluginClass)?.name;
  const name = typeof declared === 'string' ? declared : undefined;
  return new PluginError(
    PluginErrorCode.MANIFEST_INVALID,
    `${name ? `plugin "${name}"` : 'a plugin'} (${where}) has a "then" member: await, and Nest when it injects the plugin, would treat the plugin as a promise and call it. Rename it.`,
    { plugin: name, details: { fields: ['then'] } },
  );
}

function requirementProblems(field: string, list: unknown): string[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) return [`${field} must be an array of "package@range" strings`];
  return list.flatMap((entry: unknown, i) => {
    const spec =
      field === 'optionalRequires' && typeof entry === 'object' && entry !== null
        ? (entry as { package?: unknown }).package
        : entry;
    const parsed = parseRequirement(spec);
    return typeof parsed === 'string' ? [`${field}[${i}] ${parsed}`] : [];
  });
}

// Thousands of manifests repeat a handful of versions and ranges ("^0.1.0"): parse each once.
const versions = new Map<string, boolean>();
const ranges = new Map<string, boolean>();

function isVersion(value: string): boolean {
  let valid = versions.get(value);
  if (valid === undefined) versions.set(value, (valid = semver().valid(value) !== null));
  return valid;
}

function isRange(value: string): boolean {
  let valid = ranges.get(value);
  if (valid === undefined) ranges.set(value, (valid = semver().validRange(value) !== null));
  return valid;
}

/** A timeout is a positive number of ms; `Infinity` means no timeout. */
export function isValidTimeout(ms: unknown): ms is number {
  return typeof ms === 'number' && ms > 0 && !Number.isNaN(ms);
}
