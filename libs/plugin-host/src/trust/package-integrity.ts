import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

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
  const digest = createHash('sha512');
  for (const { path, link } of listFiles(folder)) {
    const rel = relative(folder, path).split(sep).join('/');
    const content = link !== undefined ? `link:${link}` : createHash('sha512').update(readFileSync(path)).digest('hex');
    digest.update(`${rel}\0${content}\n`);
  }
  return `sha512-${digest.digest('base64')}`;
}

function listFiles(folder: string): { path: string; link?: string }[] {
  const files: { path: string; link?: string }[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== '.git') walk(path);
      } else if (entry.isSymbolicLink()) files.push({ path, link: readlinkSync(path) });
      else if (entry.isFile()) files.push({ path });
    }
  };
  walk(folder);
  return files.sort((a, b) => (relative(folder, a.path).split(sep).join('/') < relative(folder, b.path).split(sep).join('/') ? -1 : 1));
}
