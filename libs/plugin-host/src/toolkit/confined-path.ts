import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/**
 * The absolute path of `path` inside `folder`, or a `RangeError` when it is
 * absolute, climbs out with `..`, leads out through a symlink, or holds a NUL
 * byte (which no file name can). For plugins that read or write files named by
 * their callers. Containment compares path segments: `..rt.csv` is a file in the
 * folder, `../rt.csv` is not.
 *
 * @example
 * const file = resolveInside(this.config.folder, request.file); // "../etc/passwd" throws
 */
export function resolveInside(folder: string, path: string): string {
  if (typeof path !== 'string' || path === '') throw new RangeError('a file name is required');
  if (path.includes('\0')) throw new RangeError(`${JSON.stringify(path)} contains a NUL byte; no file name can`);
  if (isAbsolute(path)) throw new RangeError(`"${path}" is absolute; give a path relative to the folder`);
  const root = resolve(folder);
  const full = resolve(root, path);
  if (outside(root, full)) throw new RangeError(`"${path}" leads outside the folder; give a path inside it`);
  if (outside(realPath(root), realPath(full)))
    throw new RangeError(`"${path}" leads outside the folder through a symlink`);
  return full;
}

/** The real path of the nearest existing ancestor of `path` (or of `path`), with the part that does not exist yet appended. */
function realPath(path: string): string {
  let existing = path;
  let rest = '';
  while (!existsSync(existing)) {
    const parent = dirname(existing);
    if (parent === existing) return path;
    rest = join(basename(existing), rest);
    existing = parent;
  }
  return join(realpathSync(existing), rest);
}

/** `path` is `root` itself or not below it. By segments: a first segment `..` climbs out, a name such as `..rt.csv` does not. */
function outside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
}
