import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

/** Folders a digest leaves out: a package's installed dependencies, and version control. */
export const UNPINNED_FOLDERS: readonly string[] = ['node_modules', '.git'];

/** A package folder as a pin sees it: its digest, and the symlinks that lead out of it (which the digest cannot cover). */
export interface PackageInspection {
  digest: string;
  /** Relative paths (with `/`) of symlinks whose target lies outside the folder (or does not exist). */
  escapingLinks: string[];
}

/**
 * The integrity digest of a package folder, as `trust.integrity` expects it:
 *
 * 1. every file below the folder, recursively, except `node_modules/` and `.git/`
 *    folders (a package's own dependencies are pinned by their own entries);
 * 2. sorted by their path relative to the folder, with `/` separators;
 * 3. SHA-512 over, for each file in that order: its relative path, a NUL byte, the
 *    SHA-512 of its content (hex), a newline; a symlink counts as its path, NUL,
 *    `link:` and its target, newline;
 * 4. written as `sha512-` and the digest in base64.
 *
 * `npx nest-plugin-integrity <folder>` prints it.
 */
export function packageIntegrity(folder: string): string {
  return inspectPackage(folder).digest;
}

/** The digest of `folder` (see `packageIntegrity`) and the symlinks in it that lead outside it. Reads every file: call it once per check. */
export function inspectPackage(folder: string): PackageInspection {
  const digest = createHash('sha512');
  const escapingLinks: string[] = [];
  const real = realpathSync.native(folder);
  for (const { path, link } of listFiles(folder)) {
    const rel = relative(folder, path).split(sep).join('/');
    const content = link !== undefined ? `link:${link}` : createHash('sha512').update(readFileSync(path)).digest('hex');
    digest.update(`${rel}\0${content}\n`);
    if (link !== undefined && !staysInside(real, path)) escapingLinks.push(rel);
  }
  return { digest: `sha512-${digest.digest('base64')}`, escapingLinks };
}

/** Whether `path` (a symlink) resolves to somewhere inside `realFolder`; a dangling link counts as leading out. */
function staysInside(realFolder: string, path: string): boolean {
  let target: string;
  try {
    target = realpathSync.native(path);
  } catch {
    return false;
  }
  const rel = relative(realFolder, target);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

function listFiles(folder: string): { path: string; link?: string }[] {
  const files: { path: string; link?: string }[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!UNPINNED_FOLDERS.includes(entry.name)) walk(path);
      } else if (entry.isSymbolicLink()) files.push({ path, link: readlinkSync(path) });
      else if (entry.isFile()) files.push({ path });
    }
  };
  walk(folder);
  return files.sort((a, b) => (relative(folder, a.path).split(sep).join('/') < relative(folder, b.path).split(sep).join('/') ? -1 : 1));
}
