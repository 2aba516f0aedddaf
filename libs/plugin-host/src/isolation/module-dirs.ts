import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, parse, relative, isAbsolute } from 'node:path';

/** npm's rule for a package name (scoped or not): no path segments, so it cannot point out of `node_modules`. */
const PACKAGE_NAME = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

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
 * The real folders of a plugin package's own dependencies that live outside every `node_modules`: a workspace or
 * `npm link` symlink, in a `node_modules` above the plugin (put there by the host's package manager), to a package's
 * source folder. Node loads such a dependency by its real path, which the `process` tier's permission model checks.
 * Only names npm accepts, only links above the plugin's own folder (not one the package ships), and only a folder
 * whose package.json has that name.
 */
export function linkedDependencies(packageDir: string): string[] {
  let manifest: { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
  try {
    manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const name of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
    if (!PACKAGE_NAME.test(name)) continue;
    const installed = nodeModulesAbove(dirname(packageDir))
      .map((modules) => join(modules, name))
      .find((candidate) => existsSync(candidate));
    if (!installed) continue;
    const real = realpathSync(installed);
    if (real.split(/[\\/]/).includes('node_modules') || inside(real, packageDir)) continue; // readable already
    try {
      if ((JSON.parse(readFileSync(join(real, 'package.json'), 'utf8')) as { name?: unknown }).name === name)
        found.push(real);
    } catch {
      // not a package: not granted
    }
  }
  return found;
}

function inside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
