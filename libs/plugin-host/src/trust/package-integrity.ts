import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

/** Folders a digest leaves out: a package's installed dependencies, and version control. */
export const UNPINNED_FOLDERS: readonly string[] = ['node_modules', '.git'];

/** A package folder as a pin sees it: its digest, and what in it the digest cannot cover. */
export interface PackageInspection {
  digest: string;
  /**
   * Entries a pin cannot vouch for, each `"<relative path>" (why)`: a symlink whose target lies outside the folder, in
   * one of its unpinned folders, or nowhere; a file that is not a regular file (a FIFO, socket or device, whose content
   * is whatever is written to it); a name with a line break (the digest's separator).
   */
  uncovered: string[];
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
  const uncovered: string[] = [];
  const real = realpathSync.native(folder);
  for (const { path, link, special } of listFiles(folder)) {
    const rel = relative(folder, path).split(sep).join('/');
    if (special) {
      uncovered.push(`"${rel}" (not a regular file)`);
      continue;
    }
    const content = link !== undefined ? `link:${link}` : createHash('sha512').update(readFileSync(path)).digest('hex');
    digest.update(`${rel}\0${content}\n`);
    if (/[\n\0]/.test(rel) || (link !== undefined && /[\n\0]/.test(link)))
      uncovered.push(`${JSON.stringify(rel)} (a line break in its name or target)`);
    else if (link !== undefined && !leadsToCoveredFile(real, path))
      uncovered.push(`"${rel}" (a symlink leading outside the pinned files)`);
  }
  return { digest: `sha512-${digest.digest('base64')}`, uncovered };
}

/** Whether `path` (a symlink) resolves to a file the digest covers: inside `realFolder`, not in an unpinned folder. A dangling link does not. */
function leadsToCoveredFile(realFolder: string, path: string): boolean {
  let target: string;
  try {
    target = realpathSync.native(path);
  } catch {
    return false;
  }
  const rel = relative(realFolder, target);
  return (
    rel !== '' &&
    !rel.startsWith('..') &&
    !isAbsolute(rel) &&
    !rel.split(sep).some((segment) => UNPINNED_FOLDERS.includes(segment))
  );
}

function listFiles(folder: string): { path: string; link?: string; special?: boolean }[] {
  const files: { path: string; link?: string; special?: boolean }[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!UNPINNED_FOLDERS.includes(entry.name)) walk(path);
      } else if (entry.isSymbolicLink()) files.push({ path, link: readlinkSync(path) });
      else if (entry.isFile()) files.push({ path });
      else files.push({ path, special: true });
    }
  };
  walk(folder);
  return files.sort((a, b) =>
    relative(folder, a.path).split(sep).join('/') < relative(folder, b.path).split(sep).join('/') ? -1 : 1,
  );
}
