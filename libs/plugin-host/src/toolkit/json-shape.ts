/** The deepest nesting of arrays and objects the library's routes (and the demo's) accept: far more than any real body needs. */
export const MAX_JSON_DEPTH = 32;

/** Keys that reach an object's prototype when code writes or reads them by name. */
export const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

interface Frame {
  value: object;
  depth: number;
  parent?: Frame;
  key?: string;
}

/**
 * What makes a parsed JSON value unsafe to hand to recursive or name-keyed
 * code, or `undefined` when nothing does: arrays and objects nested more than
 * `maxDepth` levels (`[]` and `{}` are one level, `[[1]]` two), or a prototype
 * key (`__proto__`, `constructor`, `prototype`) anywhere, with its path. Walks
 * with its own stack, so any depth is measured without recursion. Check a
 * request body with it before anything recursive sees it: class-transformer,
 * class-validator and deep merges overflow the call stack on a few thousand
 * levels, and a deep merge follows `__proto__` into `Object.prototype`.
 *
 * @example
 * const problem = jsonShapeProblem(body);
 * if (problem) throw new BadRequestException(`the body ${problem}`);
 */
export function jsonShapeProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const stack: Frame[] = [{ value, depth: 1 }];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    const array = Array.isArray(frame.value);
    const keys = array ? undefined : Object.keys(frame.value);
    const count = keys ? keys.length : (frame.value as unknown[]).length;
    for (let i = 0; i < count; i++) {
      const key = keys ? keys[i] : i;
      if (!array && PROTOTYPE_KEYS.has(key as string))
        return `has the key "${key}" (at ${pathOf(frame, key)}), which is never accepted`;
      const child: unknown = (frame.value as Record<string | number, unknown>)[key];
      if (child === null || typeof child !== 'object') continue;
      if (frame.depth + 1 > maxDepth)
        return `nests arrays and objects deeper than ${maxDepth} levels (at ${pathOf(frame, key)})`;
      // An array of plain values (a matrix row) has nothing further to walk: not pushing it keeps large matrices cheap.
      if (Array.isArray(child) && child.every((item) => item === null || typeof item !== 'object')) continue;
      stack.push({ value: child, depth: frame.depth + 1, parent: frame, key: String(key) });
    }
  }
  return undefined;
}

/** The path of `key` in `frame`'s value, e.g. `params.a.0`. */
function pathOf(frame: Frame, key: string | number): string {
  const keys = [String(key)];
  for (let f: Frame | undefined = frame; f?.key !== undefined; f = f.parent) keys.unshift(f.key);
  return keys.join('.');
}
