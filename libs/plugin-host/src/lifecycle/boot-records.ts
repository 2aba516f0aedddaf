import { configEnvPrefix } from '../config/env-names.js';
import type { PluginCandidate } from '../discovery/index.js';
import { hasName } from '../discovery/name-filter.js';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import { classShapeProblem, type PluginMetadata } from '../manifest/index.js';
import { PluginState, type PluginRecord, type PluginRegistry } from '../registry/index.js';
import type { ResolvedPluginOptions } from './resolved-options.js';

/**
 * One record per plugin name found at boot, in discovery order. A candidate whose declaration is broken, or whose name
 * another candidate also has (or has but for case or punctuation: they would share env settings), is `failed` at once
 * with why: none of them is imported.
 */
export function registerCandidates(
  registry: PluginRegistry,
  candidates: PluginCandidate[],
  options: ResolvedPluginOptions,
  root: string,
): void {
  const groups = groupByName(candidates);
  const lookalikes = lookalikeNames([...groups.keys()]);
  for (const [name, group] of groups) {
    const [first] = group;
    const record = registry.add(createRecord(name, first, options, root));
    const problem =
      declarationProblem(name, first) ?? duplicateProblem(name, group) ?? lookalikeProblem(name, lookalikes, groups);
    if (problem) registry.transition(record, PluginState.FAILED, problem);
  }
}

function declarationProblem(name: string, candidate: PluginCandidate): PluginError | undefined {
  if (candidate.error) return candidate.error;
  if (candidate.package) return undefined; // checked when the package.json was read
  // The declaration itself (the gate checks the rest).
  if (candidate.metadata) return classShapeProblem(candidate.pluginClass, candidate.source.description);
  return new PluginError(
    PluginErrorCode.MANIFEST_INVALID,
    `${candidate.source.description} has no @Plugin() decorator. Decorate it with @Plugin({ name, type, version }) or remove it from plugins.`,
    { plugin: name },
  );
}

function duplicateProblem(name: string, group: PluginCandidate[]): PluginError | undefined {
  if (group.length < 2) return undefined;
  return new PluginError(
    PluginErrorCode.DUPLICATE,
    `${group.length} plugins are named "${name}": ${group.map((c) => c.source.description).join(' and ')}. Rename one of them, or keep one out (discovery.exclude); none of them is loaded.`,
    { plugin: name, details: { sources: group.map((c) => c.source.description) } },
  );
}

function lookalikeProblem(
  name: string,
  lookalikes: Map<string, { names: string[]; prefix: string }>,
  groups: Map<string, PluginCandidate[]>,
): PluginError | undefined {
  const collision = lookalikes.get(name);
  if (!collision) return undefined;
  const { names, prefix } = collision;
  const listed = names
    .map((other) => `"${other}" (${groups.get(other)?.[0].source.description ?? 'unknown source'})`)
    .join(' and ');
  return new PluginError(
    PluginErrorCode.DUPLICATE,
    `plugins ${listed} have names that differ only in case or punctuation, so they share the env prefix ${prefix} and each could read the other's PLUGIN_ settings. Rename one of them, or keep one out (discovery.exclude); none of them is loaded.`,
    { plugin: name, details: { names, prefix } },
  );
}

/**
 * Names that collide with another name where it matters: the same ignoring case,
 * or the same env prefix (`json.report`, `json-report` and `jsonReport` all read
 * `PLUGIN_JSON_REPORT_*`). Each maps to every name of its collision and the prefix.
 */
function lookalikeNames(names: string[]): Map<string, { names: string[]; prefix: string }> {
  // One map over both keys ("c:" ignoring case, "e:" the env prefix); arrays only where two names meet (the rare case).
  const first = new Map<string, string>();
  const shared = new Map<string, string[]>();
  for (const name of names) {
    for (const key of [`c:${name.toLowerCase()}`, `e:${configEnvPrefix(name)}`]) {
      const other = first.get(key);
      if (other === undefined) first.set(key, name);
      else if (other !== name) shared.set(key, [...(shared.get(key) ?? [other]), name]);
    }
  }
  const found = new Map<string, { names: string[]; prefix: string }>();
  for (const same of shared.values())
    for (const name of same) found.set(name, { names: same, prefix: configEnvPrefix(name) });
  return found;
}

function groupByName(candidates: PluginCandidate[]): Map<string, [PluginCandidate, ...PluginCandidate[]]> {
  const groups = new Map<string, [PluginCandidate, ...PluginCandidate[]]>();
  for (const candidate of candidates) {
    const declared = candidate.metadata?.name;
    const name =
      typeof declared === 'string' && declared !== '' ? declared : (candidate.pluginClass?.name ?? 'unnamed');
    const group = groups.get(name);
    if (group) group.push(candidate);
    else groups.set(name, [candidate]);
  }
  return groups;
}

function createRecord(
  name: string,
  candidate: PluginCandidate,
  options: ResolvedPluginOptions,
  root: string,
): PluginRecord {
  const metadata: PluginMetadata = candidate.metadata ?? { name, type: 'unknown', version: '0.0.0' };
  return {
    name,
    metadata,
    pluginClass: candidate.pluginClass,
    source: candidate.source,
    package: candidate.package,
    lazy: candidate.lazy === true,
    folder: candidate.package?.dir ?? root,
    required: metadata.required === true || hasName(options.required, name),
    state: PluginState.DISCOVERED,
    resolveInstance: candidate.resolveInstance,
    timings: {},
    warnings: [...(candidate.warnings ?? [])],
  };
}
