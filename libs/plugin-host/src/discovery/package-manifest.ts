import { readFileSync, realpathSync } from 'node:fs';
import { basename, relative, sep } from 'node:path';
import { describeError, describeValue } from '../errors/index.js';
import { validatePluginMetadata, type PluginMetadata } from '../manifest/index.js';
import type { PluginSource } from '../registry/index.js';
import type { PluginCandidate } from './plugin-candidate.js';
import { MANIFEST_KEY, manifestError, resolveEntry } from './plugin-entry.js';

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
  'routePrefix',
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

function pick(source: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const key of keys) if (source[key] !== undefined) picked[key] = source[key];
  return picked;
}

function invalid(name: string, source: PluginSource, problems: string[], file: string): PluginCandidate {
  return {
    metadata: { name, type: 'unknown', version: '0.0.0' },
    source,
    error: manifestError(name, source, problems, file),
  };
}
