import { readdirSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, parse, relative, sep } from 'node:path';

/** Every `node_modules` folder Node's resolution may look in from `dir`: its own, then each one above. */
export function nodeModulesAbove(dir: string): string[] {
  const found: string[] = [];
  const { root } = parse(dir);
  for (let current = dir; ; current = dirname(current)) {
    found.push(join(current, 'node_modules'));
    if (current === root) return found;
  }
}

/**
 * The symbolic links in `folder` (its own `node_modules` included) whose target lies outside it, as paths relative to
 * it. Node's permission model follows links inside a folder it may read, so in the `process` tier each of these would
 * be a way out of the package (to `/etc`, to the host's sources).
 */
export function linksLeadingOut(folder: string): string[] {
  const real = realpathSync.native(folder);
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isSymbolicLink()) {
        let target: string | undefined;
        try {
          target = realpathSync.native(path);
        } catch {
          continue; // dangling: leads nowhere
        }
        const rel = relative(real, target);
        if (rel.startsWith('..') || isAbsolute(rel)) found.push(relative(folder, path).split(sep).join('/'));
      } else if (entry.isDirectory()) walk(path);
    }
  };
  walk(folder);
  return found;
}
