import { dirname, join, parse } from 'node:path';

/** Every `node_modules` folder Node's resolution may look in from `dir`: its own, then each one above. */
export function nodeModulesAbove(dir: string): string[] {
  const found: string[] = [];
  const { root } = parse(dir);
  for (let current = dir; ; current = dirname(current)) {
    found.push(join(current, 'node_modules'));
    if (current === root) return found;
  }
}
