import { describe, expect, it } from '@jest/globals';
import { dependencyCycleError, dependencyOrder, findCycles } from './dependency-graph.js';

const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges));

describe('dependencyOrder', () => {
  it('puts dependencies before their dependents', () => {
    const order = dependencyOrder(graph({ app: ['db', 'cache'], cache: ['db'], db: [] }));
    expect(order).toEqual(['db', 'cache', 'app']);
  });

  it('keeps discovery order between plugins that do not depend on each other', () => {
    expect(dependencyOrder(graph({ c: [], a: [], b: [] }))).toEqual(['c', 'a', 'b']);
  });

  it('gives the same order for the same graph every time', () => {
    const edges = { x: ['y'], y: [], z: ['x'], w: [] };
    expect(dependencyOrder(graph(edges))).toEqual(dependencyOrder(graph(edges)));
  });

  it('places plugins on a cycle last', () => {
    expect(dependencyOrder(graph({ a: ['b'], b: ['a'], c: [] }))).toEqual(['c', 'a', 'b']);
  });
});

describe('findCycles', () => {
  it('finds no cycle in a tree', () => {
    expect(findCycles(graph({ a: ['b'], b: ['c'], c: [] }))).toEqual([]);
  });

  it('lists a cycle as the path that closes it, from its first plugin in discovery order', () => {
    expect(findCycles(graph({ a: ['b'], b: ['c'], c: ['a'], d: ['a'] }))).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('finds a plugin that depends on itself', () => {
    expect(findCycles(graph({ a: ['a'] }))).toEqual([['a', 'a']]);
  });

  it('reports two separate cycles separately', () => {
    const cycles = findCycles(graph({ a: ['b'], b: ['a'], c: ['d'], d: ['c'] }));
    expect(cycles).toHaveLength(2);
    expect(cycles).toContainEqual(['a', 'b', 'a']);
    expect(cycles).toContainEqual(['c', 'd', 'c']);
  });
});

describe('dependencyCycleError', () => {
  it('is PLUGIN_DEPENDENCY_CYCLE naming the plugin, the cycle as a path and the fix', () => {
    expect(dependencyCycleError('b', ['a', 'b', 'a'])).toMatchObject({
      code: 'PLUGIN_DEPENDENCY_CYCLE',
      plugin: 'b',
      details: { cycle: ['a', 'b', 'a'] },
      message:
        'PLUGIN_DEPENDENCY_CYCLE: plugin "b" is part of a dependency cycle: "a" → "b" → "a". Remove one of these dependencies.',
    });
  });
});
