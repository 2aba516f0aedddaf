/**
 * Orders plugins so that dependencies come first and finds dependency cycles.
 * Pure functions over names, so they are easy to test and reuse.
 */

import { PluginError } from '../errors/plugin-error.js';
import { PluginErrorCode } from '../errors/plugin-error-code.js';

/** Edges: plugin name → names it depends on (only names present in the graph). */
type DependencyGraph = ReadonlyMap<string, readonly string[]>;

/**
 * Every cycle in the graph, each as the path that closes it (`['a', 'b', 'a']`).
 * One cycle is reported per strongly connected component (Tarjan), so a knot of
 * plugins is named once, starting from its first plugin in discovery order.
 */
export function findCycles(graph: DependencyGraph): string[][] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  // Every node read below was visited (so has both numbers) before it is read.
  const numberOf = (map: Map<string, number>, node: string): number => map.get(node) ?? counter;
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;

  const visit = (node: string): void => {
    index.set(node, counter);
    lowLink.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        lowLink.set(node, Math.min(numberOf(lowLink, node), numberOf(lowLink, next)));
      } else if (onStack.has(next)) {
        lowLink.set(node, Math.min(numberOf(lowLink, node), numberOf(index, next)));
      }
    }
    if (lowLink.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member === undefined) break;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      const selfLoop = component.length === 1 && (graph.get(node) ?? []).includes(node);
      if (component.length > 1 || selfLoop) components.push(component);
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);

  const discoveryOrder = [...graph.keys()];
  return components.map((component) => {
    const members = new Set(component);
    const start = discoveryOrder.find((name) => members.has(name)) ?? component[0];
    return cyclePath(graph, start, members);
  });
}

// A path from `start` back to itself inside one strongly connected component.
function cyclePath(graph: DependencyGraph, start: string, members: ReadonlySet<string>): string[] {
  const path = [start];
  const seen = new Set([start]);
  const walk = (node: string): boolean => {
    for (const next of graph.get(node) ?? []) {
      if (!members.has(next)) continue;
      if (next === start) {
        path.push(start);
        return true;
      }
      if (seen.has(next)) continue;
      seen.add(next);
      path.push(next);
      if (walk(next)) return true;
      path.pop();
    }
    return false;
  };
  walk(start);
  return path;
}

/**
 * Dependencies first; otherwise discovery order (a depth-first post-order walk,
 * visiting plugins and their dependencies in the order they were declared).
 * Nodes on a cycle cannot be ordered: they are placed last, in discovery order.
 */
export function dependencyOrder(graph: DependencyGraph): string[] {
  const onCycle = new Set(findCycles(graph).flat());
  const ordered: string[] = [];
  const visited = new Set<string>(onCycle);
  const visit = (name: string): void => {
    if (visited.has(name) || !graph.has(name)) return;
    visited.add(name);
    for (const dependency of graph.get(name) ?? []) visit(dependency);
    ordered.push(name);
  };
  for (const name of graph.keys()) visit(name);
  return [...ordered, ...[...graph.keys()].filter((name) => onCycle.has(name))];
}

/** `PLUGIN_DEPENDENCY_CYCLE` for `plugin`, naming the cycle as the path that closes it (`['a', 'b', 'a']`). */
export function dependencyCycleError(plugin: string, cycle: readonly string[]): PluginError {
  const path = cycle.map((name) => `"${name}"`).join(' → ');
  return new PluginError(
    PluginErrorCode.DEPENDENCY_CYCLE,
    `plugin "${plugin}" is part of a dependency cycle: ${path}. Remove one of these dependencies.`,
    { plugin, details: { cycle: [...cycle] } },
  );
}
