import type { Type } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { configEnvPrefix } from '../config/env-names.js';
import { importPackagePlugin, type ImportedPlugin, type PluginCandidate } from '../discovery/index.js';
import { hasName } from '../discovery/name-filter.js';
import { PluginError, PluginErrorCode, describeError } from '../errors/index.js';
import { addWarning, admitPlugin, type Admission, type FreshManifest, type GateContext } from '../gate/index.js';
import { checkCompatibility, classShapeProblem, type PluginMetadata } from '../manifest/index.js';
import { semver } from '../manifest/semver.js';
import { PluginRegistry, PluginState, type PluginRecord } from '../registry/index.js';
import { verifyNpmRequirements } from '../requirements/index.js';
import type { PackageInspection } from '../trust/index.js';
import type { IsolationSupervisor } from '../isolation/index.js';
import { dependencyCycleError, dependencyOrder, findCycles } from './dependency-graph.js';
import type { ResolvedPluginOptions } from './resolved-options.js';
import { runPhase, timeoutsFor } from './run-phase.js';
import { roundMs } from './startup-timing.js';

interface LoadInput {
  candidates: PluginCandidate[];
  options: ResolvedPluginOptions;
  /** The host's folder: class plugins' npm `requires` are resolved from here. */
  root: string;
  /** Runs the isolated plugins (absent: every plugin runs in-process). */
  supervisor?: IsolationSupervisor;
  /** Builds a plugin class with its constructor dependencies (Nest's `ModuleRef.create` when it has any). */
  instantiate: (pluginClass: Type<object>) => object | Promise<object>;
}

/**
 * Everything that happens before DI hands plugins to services: check each
 * candidate's manifest, refuse duplicates and incompatible plugins, check npm
 * requirements, import the package plugins that passed (lazy ones wait for their
 * first use), resolve the dependency graph, and instantiate the accepted classes
 * (in dependency order). A refused plugin is never imported nor instantiated.
 * Nothing here throws for a plugin's fault: the plugin's record says `failed`,
 * with the code and reason.
 */
export async function loadPlugins({
  candidates,
  options,
  root,
  instantiate,
  supervisor,
}: LoadInput): Promise<PluginRegistry> {
  const registry = new PluginRegistry(options.hostVersion, root);
  registry.supervisor = supervisor;
  supervisor?.bind(registry);
  const fail = (record: PluginRecord, error: PluginError): void =>
    void registry.transition(record, PluginState.FAILED, error);

  const groups = groupByName(candidates);
  const lookalikes = lookalikeNames([...groups.keys()]);
  for (const [name, group] of groups) {
    const [first] = group;
    const record = createRecord(name, first, options, root);
    registry.add(record);
    const manifestError =
      first.error ??
      (first.package
        ? undefined // checked when the package.json was read
        : first.metadata
          ? classShapeProblem(first.pluginClass, first.source.description) // the declaration itself: the gate, below
          : new PluginError(
              PluginErrorCode.MANIFEST_INVALID,
              `${first.source.description} has no @Plugin() decorator. Decorate it with @Plugin({ name, type, version }) or remove it from plugins.`,
              { plugin: name },
            ));
    if (manifestError) fail(record, manifestError);
    else if (group.length > 1) {
      fail(
        record,
        new PluginError(
          PluginErrorCode.DUPLICATE,
          `${group.length} plugins are named "${name}": ${group.map((c) => c.source.description).join(' and ')}. Rename one of them, or keep one out (discovery.exclude); none of them is loaded.`,
          { plugin: name, details: { sources: group.map((c) => c.source.description) } },
        ),
      );
    } else if (lookalikes.has(name)) {
      const { names, prefix } = lookalikes.get(name)!;
      const listed = names.map((other) => `"${other}" (${groups.get(other)![0].source.description})`).join(' and ');
      fail(
        record,
        new PluginError(
          PluginErrorCode.DUPLICATE,
          `plugins ${listed} have names that differ only in case or punctuation, so they share the env prefix ${prefix} and each could read the other's PLUGIN_ settings. Rename one of them, or keep one out (discovery.exclude); none of them is loaded.`,
          { plugin: name, details: { names, prefix } },
        ),
      );
    }
  }

  // The gate, for every plugin. A package plugin loaded at boot is imported right after it passes, with
  // the manifest just read; lazy and disabled ones are checked now (so a refusal shows at once) and again
  // before their code loads.
  const gate = gateContext(options, root, new Map());
  const imports: Promise<boolean>[] = [];
  for (const record of registry.all()) {
    if (record.state === PluginState.FAILED) continue;
    const fresh = record.package ? { metadata: record.metadata, pkg: record.package } : undefined;
    const admission = admit(registry, record, gate, fresh);
    if (!admission) continue;
    if (hasName(options.disabled, record.name)) registry.transition(record, PluginState.DISABLED);
    if (record.package && !record.lazy) imports.push(loadPluginCode(registry, record, gate, admission));
  }
  await Promise.all(imports);

  checkDependencies(registry, fail);

  for (const record of registry.all()) {
    if (
      record.pluginClass &&
      !record.instance &&
      (record.state === PluginState.DISCOVERED || record.state === PluginState.DISABLED)
    ) {
      await instantiatePlugin(registry, record, options, instantiate);
    }
  }
  return registry;
}

/** The gate's context for this host (`inspections`: share package readings within one pass only), and how long an import may take. */
export function gateContext(
  options: ResolvedPluginOptions,
  root: string,
  inspections?: Map<string, PackageInspection>,
): LoadContext {
  const importTimeoutMs = (metadata: PluginMetadata): number => timeoutsFor(metadata, options).initialize;
  return {
    trust: options.trust,
    hostVersion: options.hostVersion,
    acceptIncompatible: options.acceptIncompatible,
    root,
    inspections,
    importTimeoutMs,
  };
}

/** The gate's context, plus the import's time limit (a module whose top level never finishes must not hold boot). */
interface LoadContext extends GateContext {
  importTimeoutMs(metadata: PluginMetadata): number;
}

/**
 * Runs the gate for `record` and decides its tier the first time (the host's
 * rule, its manifest, or the process tier for an untrusted package). Fails the
 * record (and returns `undefined`) when the gate refuses.
 */
export function admit(
  registry: PluginRegistry,
  record: PluginRecord,
  gate: GateContext,
  fresh?: FreshManifest,
): Admission | undefined {
  try {
    return admitOrThrow(registry, record, gate, fresh);
  } catch (error) {
    registry.transition(record, PluginState.FAILED, error as PluginError);
    return undefined;
  }
}

/** `admit`, throwing the refusal instead of failing the record (a reload's refusal leaves the running instance alone). */
export function admitOrThrow(
  registry: PluginRegistry,
  record: PluginRecord,
  gate: GateContext,
  fresh?: FreshManifest,
): Admission {
  const admission = admitPlugin(record, gate, fresh);
  if (record.isolation === undefined) {
    const tier = registry.supervisor?.tierOf(record, admission.forceProcess) ?? 'in-process';
    const problem = isolationProblem(record, tier);
    if (problem) throw problem;
    record.isolation = tier;
  }
  return admission;
}

/**
 * Loads a package plugin's code where it runs: imported into this process, or
 * started in its isolate (worker or child process), which also gives it its
 * instance. Passes the gate first (`admission`: the caller passed it just now).
 * Fails the record (and returns `false`) on any problem.
 */
export async function loadPluginCode(
  registry: PluginRegistry,
  record: PluginRecord,
  gate: LoadContext,
  admission?: Admission,
): Promise<boolean> {
  admission ??= admit(registry, record, gate);
  if (!admission) return false;
  if (record.isolation === undefined || record.isolation === 'in-process')
    return importPlugin(registry, record, gate, admission);
  const started = performance.now();
  try {
    const isolate = await registry.supervisor!.spawn(record, admission);
    const { description, timeouts, inject } = isolate.ready.metadata;
    const metadata = { ...admission.metadata };
    if (metadata.description === undefined && description !== undefined) metadata.description = description;
    if (metadata.timeouts === undefined && timeouts !== undefined) metadata.timeouts = timeouts;
    if (metadata.inject === undefined && inject?.length) metadata.inject = inject;
    registry.supervisor!.attach(record, isolate, metadata);
    if (record.state === PluginState.DISCOVERED) registry.transition(record, PluginState.LOADED);
    return true;
  } catch (error) {
    registry.transition(record, PluginState.FAILED, error as PluginError);
    return false;
  } finally {
    record.timings.load = roundMs(performance.now() - started);
  }
}

/** Only a package can be isolated: its entry file is what the isolate loads. */
function isolationProblem(record: PluginRecord, tier: PluginRecord['isolation']): PluginError | undefined {
  if (tier === 'in-process' || record.package) return undefined;
  return new PluginError(
    PluginErrorCode.LOAD_FAILED,
    `plugin "${record.name}" (${record.source.description}) is set to run in a ${tier}, but only plugin packages can be isolated. Publish it as a package with a nestPlugin manifest, or run it in-process.`,
    { plugin: record.name },
  );
}

/**
 * Imports what the gate admitted (the package's real entry) and merges what the
 * class declares; then checks what only the class may have declared (a
 * compatibility range, npm requirements, its shape). Fails the record (and
 * returns `false`) on any problem.
 */
async function importPlugin(
  registry: PluginRegistry,
  record: PluginRecord,
  gate: LoadContext,
  admission: Admission,
): Promise<boolean> {
  const started = performance.now();
  try {
    const { pluginClass, metadata } = await importWithin(record, gate, admission);
    registry.attachClass(record, pluginClass, metadata);
    const problem = classProblem(record, admission.metadata, gate);
    if (problem) registry.transition(record, PluginState.FAILED, problem);
    return problem === undefined;
  } catch (error) {
    registry.transition(record, PluginState.FAILED, error as PluginError);
    return false;
  } finally {
    record.timings.load = roundMs(performance.now() - started);
  }
}

/**
 * Imports what the gate admitted (the package's real entry; `generation` > 0: a fresh copy, for a reload) within the
 * initialize timeout: a module whose top level never finishes is `PLUGIN_TIMEOUT`, not a boot that never ends.
 */
export async function importWithin(
  record: PluginRecord,
  gate: LoadContext,
  admission: Admission,
  generation = 0,
): Promise<ImportedPlugin> {
  const imported = await runPhase(record.name, 'load', gate.importTimeoutMs(admission.metadata), () =>
    importPackagePlugin(
      { ...admission.pkg!, entryPath: admission.entry! },
      admission.metadata,
      record.source,
      generation,
    ),
  );
  if (!imported.ok) throw imported.error;
  return imported.value!;
}

/**
 * What only an imported class can show: a compatibility range or npm requirements
 * the class declares beyond its manifest, and a shape the host cannot hold (a
 * `then` method). `manifest`: the declaration checked before the import.
 */
export function classProblem(
  record: PluginRecord,
  manifest: PluginMetadata,
  gate: GateContext,
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
  for (const line of notes) addWarning(record, line);
  return error;
}

/** Builds the plugin's instance (under the initialize timeout); `loaded`, or `disabled` if it was. */
export async function instantiatePlugin(
  registry: PluginRegistry,
  record: PluginRecord,
  options: ResolvedPluginOptions,
  instantiate: LoadInput['instantiate'],
): Promise<void> {
  // Disabled plugins are instantiated too, so the reference services get now is the one enabling later brings to life.
  const outcome = await runPhase(record.name, 'load', timeoutsFor(record.metadata, options).initialize, () =>
    instantiate(record.pluginClass!),
  );
  record.timings.load = roundMs((record.timings.load ?? 0) + outcome.ms);
  const shape = outcome.ok
    ? classShapeProblem(record.pluginClass, record.source.description, outcome.value)
    : undefined;
  if (shape) {
    registry.transition(record, PluginState.FAILED, shape);
  } else if (outcome.ok) {
    registry.attachInstance(record, outcome.value!);
    registry.transition(record, record.state === PluginState.DISABLED ? PluginState.DISABLED : PluginState.LOADED);
  } else {
    registry.transition(
      record,
      PluginState.FAILED,
      outcome.timedOut
        ? (outcome.error as PluginError)
        : new PluginError(
            PluginErrorCode.LOAD_FAILED,
            `plugin "${record.name}" could not be instantiated: ${describeError(outcome.error)}. Check its constructor and that what it injects is provided (PluginModule imports).`,
            { plugin: record.name, phase: 'load', cause: outcome.error },
          ),
    );
  }
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

function groupByName(candidates: PluginCandidate[]): Map<string, PluginCandidate[]> {
  const groups = new Map<string, PluginCandidate[]>();
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

/**
 * Missing or out-of-range dependencies and cycles fail the plugin; a plugin whose
 * dependency was refused or disabled cannot start either. Sets the registry's
 * order to dependencies first.
 */
function checkDependencies(registry: PluginRegistry, fail: (record: PluginRecord, error: PluginError) => void): void {
  const graph = new Map<string, string[]>();
  for (const record of registry.all()) {
    graph.set(
      record.name,
      Object.keys(record.metadata.dependencies ?? {}).filter((dependency) => registry.get(dependency)),
    );
  }

  for (const cycle of findCycles(graph)) {
    for (const name of new Set(cycle)) {
      const record = registry.get(name)!;
      if (record.state === PluginState.FAILED) continue;
      fail(record, dependencyCycleError(name, cycle));
    }
  }

  for (const record of registry.all()) {
    if (record.state === PluginState.FAILED) continue;
    const problem = dependencyProblem(registry, record);
    if (problem) fail(record, problem);
  }

  registry.setOrder(dependencyOrder(graph));
  for (const record of registry.all()) {
    if (record.state !== PluginState.FAILED && record.state !== PluginState.DISABLED) {
      const blocked = blockingDependency(registry, record);
      if (blocked) fail(record, blocked);
    }
  }
}

/** `PLUGIN_DEPENDENCY_MISSING` when a plugin `record` depends on is not registered, or its version is out of range. */
export function dependencyProblem(registry: PluginRegistry, record: PluginRecord): PluginError | undefined {
  for (const [dependency, range] of Object.entries(record.metadata.dependencies ?? {})) {
    const found = registry.get(dependency);
    const problem = !found
      ? `no plugin named "${dependency}" is registered. Add the "${dependency}" plugin, or remove it from "${record.name}"'s dependencies`
      : !semver().satisfies(found.metadata.version, range, { includePrerelease: true })
        ? `"${dependency}" is ${found.metadata.version}. Install a version of "${dependency}" in ${range}, or a version of "${record.name}" that accepts ${found.metadata.version}`
        : undefined;
    if (problem) {
      return new PluginError(
        PluginErrorCode.DEPENDENCY_MISSING,
        `plugin "${record.name}" needs "${dependency}"@${range} but ${problem}.`,
        {
          plugin: record.name,
          details: { dependency, range, found: found?.metadata.version },
        },
      );
    }
  }
  return undefined;
}

/** `PLUGIN_DEPENDENCY_FAILED` when a dependency of `record` is failed or disabled. */
export function blockingDependency(registry: PluginRegistry, record: PluginRecord): PluginError | undefined {
  for (const dependency of Object.keys(record.metadata.dependencies ?? {})) {
    const found = registry.get(dependency);
    if (
      !found ||
      found.state === PluginState.ENABLED ||
      found.state === PluginState.LOADED ||
      found.state === PluginState.DISCOVERED
    )
      continue;
    const why =
      found.state === PluginState.DISABLED
        ? `is disabled. Enable "${dependency}", or disable "${record.name}" too`
        : `failed (${found.error?.code ?? 'unknown'}). Fix "${dependency}" first`;
    return new PluginError(
      PluginErrorCode.DEPENDENCY_FAILED,
      `plugin "${record.name}" was not started: its dependency "${dependency}" ${why}.`,
      {
        plugin: record.name,
        cause: found.error,
        details: { dependency, dependencyState: found.state },
      },
    );
  }
  return undefined;
}
