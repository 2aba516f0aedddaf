import { describe, expect, it } from '@jest/globals';
import { jsonShapeProblem, MAX_JSON_DEPTH } from './json-shape.js';

const nested = (depth: number, leaf: unknown = 1): unknown => {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};

describe('jsonShapeProblem', () => {
  it('accepts plain values, matrices and objects up to the depth limit', () => {
    expect(jsonShapeProblem(3)).toBeUndefined();
    expect(
      jsonShapeProblem({
        data: [
          [1, 2],
          [3, 4],
        ],
        params: { a: { b: 'c' } },
      }),
    ).toBeUndefined();
    expect(jsonShapeProblem(nested(MAX_JSON_DEPTH))).toBeUndefined();
  });

  it('names the path where a value nests too deeply, however deep it goes (no recursion)', () => {
    expect(jsonShapeProblem(nested(MAX_JSON_DEPTH + 1))).toMatch(/deeper than 32 levels \(at 0\.0\.0/);
    expect(jsonShapeProblem({ params: JSON.parse(`${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`) })).toMatch(
      /^nests .* \(at params\.a\.a/,
    );
    expect(jsonShapeProblem(nested(1_000_000))).toMatch(/deeper than 32 levels/);
    expect(jsonShapeProblem({ a: 1 }, 0)).toBeUndefined();
    expect(jsonShapeProblem({ a: {} }, 1)).toMatch(/deeper than 1 levels \(at a\)/);
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses the prototype key %s anywhere, with its path', (key) => {
    expect(jsonShapeProblem(JSON.parse(`{"${key}": {"x": 1}}`))).toBe(
      `has the key "${key}" (at ${key}), which is never accepted`,
    );
    expect(jsonShapeProblem(JSON.parse(`{"report": [{"${key}": 1}]}`))).toMatch(`(at report.0.${key})`);
  });
});
