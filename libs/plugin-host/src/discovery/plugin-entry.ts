import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { PluginError, PluginErrorCode, describeValue } from '../errors/index.js';
import { MODULE_FORMAT } from '../module-format.js';
import type { PluginPackage, PluginSource } from '../registry/index.js';

/** The `nestPlugin` key of a package.json: one plugin, or an array for a package with several. */
export const MANIFEST_KEY = 'nestPlugin';

// "./" then plain path segments: no "..", ".", empty segment or backslash.
const SIMPLE_ENTRY = /^\.\/(?:[^/\\.][^/\\]*\/)*[^/\\.][^/\\]*$/;

/**
 * The entry's path inside the package folder, checked by its text only: not
 * absolute, no `..` out of the folder. (That it exists and no symlink leads out
 * of the folder is checked by `resolveRealEntry` just before every import.)
 */
export function resolveEntry(dir: string, entry: unknown): string | { problem: string } {
  if (entry !== null && typeof entry === 'object' && !Array.isArray(entry))
    return resolveConditionalEntry(dir, entry as Record<string, unknown>);
  if (typeof entry !== 'string')
    return {
      problem: `entry ${describeValue(entry)} must be a path inside the package, such as "./dist/index.js", or { "import": …, "require": … }`,
    };
  if (isAbsolute(entry))
    return {
      problem: `entry "${entry}" is absolute; it must be relative to the package folder, such as "./dist/index.js"`,
    };
  // The usual "./dist/index.js" needs no normalization.
  if (SIMPLE_ENTRY.test(entry)) return dir + sep + (sep === '/' ? entry.slice(2) : entry.slice(2).split('/').join(sep));
  const full = resolve(dir, entry);
  if (escapes(dir, full))
    return { problem: `entry "${entry}" points outside the package folder; it must stay inside it` };
  return full;
}

/**
 * `{ "import": "./dist/index.js", "require": "./dist-cjs/index.js" }`: the entry built for this host's module
 * system (see `MODULE_FORMAT`), else the other one. Both are checked, so a typo in either is reported.
 */
function resolveConditionalEntry(dir: string, entry: Record<string, unknown>): string | { problem: string } {
  const unknown = Object.keys(entry).filter((key) => key !== 'import' && key !== 'require');
  if (unknown.length > 0 || Object.keys(entry).length === 0)
    return { problem: `entry ${describeValue(entry)} must have "import" and/or "require" paths, and nothing else` };
  const paths: Partial<Record<'import' | 'require', string>> = {};
  for (const condition of ['import', 'require'] as const) {
    if (entry[condition] === undefined) continue;
    if (typeof entry[condition] !== 'string' || entry[condition] === '')
      return { problem: `entry.${condition} must be a path inside the package` };
    const path = resolveEntry(dir, entry[condition]);
    if (typeof path !== 'string') return { problem: path.problem.replace(/^entry /, `entry.${condition} `) };
    paths[condition] = path;
  }
  // At least one condition is present (checked above), so one path is.
  return paths[MODULE_FORMAT] ?? paths.import ?? paths.require ?? { problem: 'entry has no path' };
}

/**
 * Checks, just before anything is imported, that a package plugin's entry exists
 * and does not lead out of its package through a symlink. Returns the entry's real
 * path (what is imported), or the `PLUGIN_MANIFEST_INVALID` error. Run it at every
 * import: a file can be swapped for a symlink at any time.
 */
export function resolveRealEntry(name: string, pkg: PluginPackage, source: PluginSource): string | PluginError {
  let real: string;
  try {
    real = realpathSync.native(pkg.entryPath); // one system call (the JS version walks every path component)
  } catch {
    return manifestError(
      name,
      source,
      [`entry "${relative(pkg.dir, pkg.entryPath)}" does not exist in ${pkg.dir} (is the package built?)`],
      source.file ?? pkg.dir,
    );
  }
  if (escapes(pkg.dir, real)) {
    return manifestError(
      name,
      source,
      [
        `entry "${relative(pkg.dir, pkg.entryPath)}" goes through a symlink to ${real}, outside the package folder; it must stay inside it`,
      ],
      source.file ?? pkg.dir,
    );
  }
  // A FIFO or a device would hang the import, or feed it anything.
  if (!statSync(real).isFile()) {
    return manifestError(
      name,
      source,
      [`entry "${relative(pkg.dir, pkg.entryPath)}" is not a regular file`],
      source.file ?? pkg.dir,
    );
  }
  return real;
}

function escapes(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel);
}

/** `PLUGIN_MANIFEST_INVALID` for the plugin `name` declared in `file`, listing the problems and the fields they are in. */
export function manifestError(name: string, source: PluginSource, problems: string[], file: string): PluginError {
  const fields = [...new Set(problems.map((problem) => problem.split(/[\s.[]/, 1)[0]))];
  return new PluginError(
    PluginErrorCode.MANIFEST_INVALID,
    `plugin "${name}" (${source.description}) has an invalid manifest: ${problems.join('; ')}. Fix the "${MANIFEST_KEY}" field of ${file}.`,
    { plugin: name, details: { file, fields, problems } },
  );
}
