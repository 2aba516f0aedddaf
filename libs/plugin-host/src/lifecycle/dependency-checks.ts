import { PluginError, PluginErrorCode } from '../errors/index.js';
import { semver } from '../manifest/semver.js';
import { PluginState, type PluginRecord, type PluginRegistry } from '../registry/index.js';
import { dependencyCycleError, dependencyOrder, findCycles } from './dependency-graph.js';

/** The plugins a record depends on, by name. */
export function dependencyNames(record: PluginRecord): string[] {
  return Object.keys(record.metadata.dependencies ?? {});
}

/**
 * Missing or out-of-range dependencies and cycles fail the plugin; a plugin whose dependency was refused or disabled
 * cannot start either. Sets the registry's order to dependencies first.
 */
export function checkDependencies(registry: PluginRegistry): void {
  const fail = (record: PluginRecord, error: PluginError): void =>
    void registry.transition(record, PluginState.FAILED, error);
  const graph = new Map<string, string[]>();
  for (const record of registry.all())
    graph.set(
      record.name,
      dependencyNames(record).filter((dependency) => registry.get(dependency)),
    );

  for (const cycle of findCycles(graph)) {
    for (const name of new Set(cycle)) {
      const record = registry.require(name);
      if (record.state !== PluginState.FAILED) fail(record, dependencyCycleError(name, cycle));
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
export function blockingDependency(
  registry: PluginRegistry,
  record: Pick<PluginRecord, 'name' | 'metadata'>,
): PluginError | undefined {
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
