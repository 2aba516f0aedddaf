import { readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import { PluginError, PluginErrorCode, describeError, describeValue } from '../errors/index.js';
import { validatePluginMetadata, type PluginMetadata } from '../manifest/index.js';
import { MODULE_FORMAT } from '../module-format.js';
import type { PluginPackage, PluginSource } from '../registry/index.js';
import type { PluginCandidate } from './plugin-candidate.js';

// "./" then plain path segments: no "..", ".", empty segment or backslash.
const SIMPLE_ENTRY = /^\.\/(?:[^/\\.][^/\\]*\/)*[^/\\.][^/\\]*$/;

/** The `nestPlugin` key of a package.json: one plugin, or an array for a package with several. */
export const MANIFEST_KEY = 'nestPlugin';

/** The `nestPlugin` fields that become plugin metadata as they are. */
const METADATA_FIELDS = [
  'description',
  'compatibility',
  'dependencies',
  'required',
  'timeouts',
  'requires',
  'optionalRequires',
  'isolation',
  'inject',
];

/** The fields a `nestPlugin` entry may have (anything else is a warning: probably a typo). */
const MANIFEST_FIELDS = new Set(['name', 'type', 'entry', 'export', 'version', 'lazy', ...METADATA_FIELDS]);

export interface PackageRead {
  /** The package folder as found (may be a symlink, e.g. an npm workspace link). */
  dir: string;
  /** Its real path, when the walk already knows it (saves a system call per package). */
  realDir?: string;
  kind: 'package' | 'path';
  /** The host's root: paths in messages are shown relative to it. */
  root: string;
}

/**
 * The plugins one package folder declares, read from its package.json only: no
 * plugin code runs here. Returns `undefined` when the folder is not a plugin
 * package. A manifest problem becomes a candidate carrying the error, so the
 * plugin is listed as `failed` with the file and the field.
 */
export function readPackagePlugins({ dir, realDir, kind, root }: PackageRead): PluginCandidate[] | undefined {
  const file = dir + sep + 'package.json';
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  // Most installed packages are not plugins: without the key in the text there is nothing to parse.
  if (kind === 'package' && !text.includes(`"${MANIFEST_KEY}"`)) return undefined;
  const shownFile = file.startsWith(root + sep) ? file.slice(root.length + 1) : relative(root, file) || file;
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    // Only a plugin folder is known to hold a plugin; a broken dependency is npm's business.
    if (kind !== 'path') return undefined;
    const source: PluginSource = { kind, description: `plugin folder ${shownFile}`, file };
    return [invalid(basename(dir), source, [`package.json is not valid JSON (${describeError(error)})`], file)];
  }
  if (pkg === null || typeof pkg !== 'object' || !(MANIFEST_KEY in pkg)) return undefined;

  const packageName = typeof pkg.name === 'string' ? pkg.name : basename(dir);
  const packageVersion = typeof pkg.version === 'string' ? pkg.version : undefined;
  const source: PluginSource = {
    kind,
    description: `package ${packageName}${packageVersion ? `@${packageVersion}` : ''} (${shownFile})`,
    package: packageName,
    file,
  };
  const declared = pkg[MANIFEST_KEY];
  const entries = Array.isArray(declared) ? declared : [declared];
  if (entries.length === 0) return [invalid(packageName, source, [`${MANIFEST_KEY} is an empty array`], file)];
  const packageDir = realDir ?? realpathSync.native(dir);
  return entries.map((raw, index) =>
    readEntry(raw, entries.length > 1 ? `${packageName}#${index}` : packageName, {
      dir: packageDir,
      file,
      source,
      packageName,
      packageVersion,
    }),
  );
}

interface EntryContext {
  /** The package folder's real path. */
  dir: string;
  file: string;
  source: PluginSource;
  packageName: string;
  packageVersion?: string;
}

function readEntry(
  raw: unknown,
  fallbackName: string,
  { dir, file, source, packageName, packageVersion }: EntryContext,
): PluginCandidate {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return invalid(
      fallbackName,
      source,
      [`${MANIFEST_KEY} must be an object { name, type, entry } or an array of them`],
      file,
    );
  }
  const manifest = raw as Record<string, unknown>;
  const name = typeof manifest.name === 'string' && manifest.name !== '' ? manifest.name : undefined;
  const problems: string[] = [];
  for (const field of ['name', 'type', 'entry']) {
    if (manifest[field] === undefined || manifest[field] === '') problems.push(`${field} is missing`);
  }
  if (manifest.name !== undefined && typeof manifest.name !== 'string')
    problems.push(`name ${describeValue(manifest.name)} must be a string`);
  if (manifest.export !== undefined && (typeof manifest.export !== 'string' || manifest.export === ''))
    problems.push('export must be the name of an export');
  if (manifest.lazy !== undefined && typeof manifest.lazy !== 'boolean') problems.push('lazy must be true or false');

  const metadata = {
    name: name ?? fallbackName,
    type: manifest.type,
    version: manifest.version ?? packageVersion,
    ...pick(manifest, METADATA_FIELDS),
  } as PluginMetadata;
  if (metadata.version === undefined) problems.push('version is missing (in the manifest and in package.json)');
  // Missing fields are reported above; validate what is there.
  const placeholders = {
    name: name ?? 'unnamed',
    type: problems.includes('type is missing') ? 'unknown' : metadata.type,
    version: metadata.version ?? '0.0.0',
  };
  const checked = validatePluginMetadata({ ...metadata, ...placeholders }, source.description);
  problems.push(...((checked?.details?.problems as string[] | undefined) ?? []));

  const entry = manifest.entry === undefined || manifest.entry === '' ? undefined : resolveEntry(dir, manifest.entry);
  if (entry !== undefined && typeof entry !== 'string') problems.push(entry.problem);
  if (problems.length > 0) return invalid(metadata.name, source, problems, file);

  const unknown = Object.keys(manifest).filter((key) => !MANIFEST_FIELDS.has(key));
  const entryPath = entry as string;
  const packageDir = dir;
  return {
    metadata,
    source,
    package: {
      name: packageName,
      version: packageVersion ?? metadata.version,
      dir: packageDir,
      entryPath,
      ...(typeof manifest.export === 'string' && { exportName: manifest.export }),
    },
    lazy: manifest.lazy === true,
    warnings: unknown.length
      ? [
          `plugin "${metadata.name}" (${source.description}): unknown ${MANIFEST_KEY} field${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => `"${key}"`).join(', ')} ignored (known: ${[...MANIFEST_FIELDS].join(', ')}).`,
        ]
      : [],
  };
}

/**
 * The entry's path inside the package folder, checked by its text only: not
 * absolute, no `..` out of the folder. (That it exists and no symlink leads out
 * of the folder is checked by `resolveRealEntry` just before every import.)
 */
function resolveEntry(dir: string, entry: unknown): string | { problem: string } {
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
  return paths[MODULE_FORMAT] ?? (paths.import ?? paths.require)!;
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
    return invalid(
      name,
      source,
      [`entry "${relative(pkg.dir, pkg.entryPath)}" does not exist in ${pkg.dir} (is the package built?)`],
      source.file!,
    ).error!;
  }
  if (escapes(pkg.dir, real)) {
    return invalid(
      name,
      source,
      [
        `entry "${relative(pkg.dir, pkg.entryPath)}" goes through a symlink to ${real}, outside the package folder; it must stay inside it`,
      ],
      source.file!,
    ).error!;
  }
  // A FIFO or a device would hang the import, or feed it anything.
  if (!statSync(real).isFile()) {
    return invalid(name, source, [`entry "${relative(pkg.dir, pkg.entryPath)}" is not a regular file`], source.file!)
      .error!;
  }
  return real;
}

function escapes(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel);
}

function pick(source: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const key of keys) if (source[key] !== undefined) picked[key] = source[key];
  return picked;
}

function invalid(name: string, source: PluginSource, problems: string[], file: string): PluginCandidate {
  const fields = [...new Set(problems.map((problem) => problem.split(/[\s.[]/, 1)[0]))];
  return {
    metadata: { name, type: 'unknown', version: '0.0.0' },
    source,
    error: new PluginError(
      PluginErrorCode.MANIFEST_INVALID,
      `plugin "${name}" (${source.description}) has an invalid manifest: ${problems.join('; ')}. Fix the "${MANIFEST_KEY}" field of ${file}.`,
      { plugin: name, details: { file, fields, problems } },
    ),
  };
}
