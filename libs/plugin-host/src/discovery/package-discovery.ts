import { existsSync, readFileSync, readdirSync, realpathSync, type Dirent } from 'node:fs';
import { delimiter, dirname, join, resolve, sep } from 'node:path';
import type { PluginDiscoveryOptions } from './discovery-options.js';
import { createNameFilter, wildcardMatcher } from './name-filter.js';
import type { PluginCandidate } from './plugin-candidate.js';
import { readPackagePlugins, type PackageRead } from './package-manifest.js';

/** What package discovery found, in a deterministic order. */
export interface PackageDiscovery {
  /** The host folder discovery ran in. */
  root: string;
  candidates: PluginCandidate[];
  /** Things an operator should know (e.g. a plugin path that does not exist). */
  warnings: string[];
}

/** The env var adding plugin folders (separated by the platform's path delimiter). */
const PLUGIN_PATHS_ENV = 'PLUGIN_PATHS';

/**
 * Finds plugin packages by reading package.json files only (synchronously, once,
 * when the module is declared, so their names get injection tokens). Installed
 * packages come first (sorted by name, or in `node_modules` order), then plugin
 * folders in the order given, their sub-folders sorted. A package reached twice
 * (an npm workspace link and its folder) counts once.
 */
export function discoverPackages(
  options: PluginDiscoveryOptions,
  env: Record<string, string | undefined> = process.env,
): PackageDiscovery {
  const root = resolve(options.root ?? appRoot());
  const warnings: string[] = [];
  const folders: PackageRead[] = [];

  const scan = options.scan ?? 'dependencies';
  if (scan === 'dependencies') {
    for (const dir of dependencyFolders(root, warnings)) folders.push({ dir, kind: 'package', root });
  } else if (scan === 'node_modules') {
    for (const { dir, realDir } of nodeModulesFolders(join(root, 'node_modules')))
      folders.push({ dir, realDir, kind: 'package', root });
  }
  for (const path of pluginPaths(options, root, env)) {
    const subfolders = sortedEntries(path.dir);
    if (!subfolders) {
      warnings.push(
        `plugin folder ${path.dir} (from ${path.from}) does not exist or cannot be read; no plugins were loaded from it.`,
      );
      continue;
    }
    const realPath = realpathSync.native(path.dir);
    for (const entry of subfolders) {
      if (entry.isDirectory())
        folders.push({ dir: join(path.dir, entry.name), realDir: join(realPath, entry.name), kind: 'path', root });
      else if (entry.isSymbolicLink()) folders.push({ dir: join(path.dir, entry.name), kind: 'path', root });
    }
  }

  const accepted = createNameFilter(options.include, options.exclude);
  const lazy = wildcardMatcher(options.lazy);
  const seen = new Set<string>();
  const candidates: PluginCandidate[] = [];
  for (const folder of folders) {
    for (const candidate of readPackagePlugins(folder) ?? []) {
      const name = candidate.metadata?.name;
      if (!accepted(name, candidate.source.package)) continue;
      const key = `${candidate.package?.dir ?? candidate.source.file}\0${name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (lazy(name)) candidate.lazy = true;
      candidates.push(candidate);
    }
  }
  return { root, candidates, warnings };
}

/**
 * The app's folder when `discovery.root` is not set: the nearest folder with a package.json above the script
 * Node was started with (`process.argv[1]`: `dist/main.js`, or a tool such as Jest or the Nest CLI, whose own
 * `node_modules` folder is skipped: it is the project that installed it), else the working directory. So an
 * app started from another folder (`node /srv/app/dist/main.js`) still finds its plugins.
 */
export function appRoot(script: string | undefined = process.argv[1], cwd = process.cwd()): string {
  if (!script) return cwd;
  const path = resolve(cwd, script);
  const inModules = path.indexOf(`${sep}node_modules${sep}`);
  let dir = inModules === -1 ? dirname(path) : path.slice(0, inModules);
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return cwd;
    dir = parent;
  }
}

/** The one boot line that says where discovery looked and what it found, so "found nothing" is visible. */
export function discoveryLine({ root, candidates }: PackageDiscovery): string {
  const names = [...new Set(candidates.map((candidate) => candidate.metadata?.name ?? candidate.source.description))];
  const found =
    names.length === 0
      ? 'no plugin packages'
      : `${names.length} plugin package${names.length > 1 ? 's' : ''}: ${names.join(', ')}`;
  return `discovery in ${root} found ${found}${names.length === 0 ? ' (set discovery.root to the app folder if that is not it)' : ''}`;
}

/** The folders of the host's `dependencies` and `optionalDependencies`, sorted by package name. */
function dependencyFolders(root: string, warnings: string[]): string[] {
  let manifest: { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
  try {
    manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as typeof manifest;
  } catch (error) {
    warnings.push(
      `cannot read the host's package.json in ${root} (${(error as Error).message}); no installed plugin packages were looked for. Set discovery.root to the host's folder.`,
    );
    return [];
  }
  const names = [
    ...new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.optionalDependencies ?? {})]),
  ].sort();
  return names.map((name) => packageFolder(name, root)).filter((dir): dir is string => dir !== undefined);
}

/** Where Node would find package `name` from `from` (walking up node_modules folders). */
function packageFolder(name: string, from: string): string | undefined {
  for (let dir = from; ;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = resolve(dir, '..');
    if (parent === dir) return undefined;
    dir = parent;
  }
}

interface Folder {
  dir: string;
  /** Known without a system call for plain folders below a folder whose real path is known. */
  realDir?: string;
}

/**
 * Every package folder in a node_modules tree, scoped (`@scope/name`) and nested
 * (`a/node_modules/b`) ones included, in sorted order. Linked packages are read
 * but not descended into, so a link cycle cannot loop.
 */
function nodeModulesFolders(nodeModules: string, out: Folder[] = [], realNodeModules?: string): Folder[] {
  const entries = sortedEntries(nodeModules);
  if (!entries) return out;
  const real = realNodeModules ?? realpathSync.native(nodeModules);
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue; // .bin, .package-lock.json, caches
    // Names from readdir have no separators: plain concatenation is a join (and much cheaper with a thousand packages).
    if (entry.name.startsWith('@')) {
      if (!entry.isDirectory()) continue;
      const scope = nodeModules + sep + entry.name;
      for (const scoped of sortedEntries(scope) ?? []) {
        visitPackage(scope + sep + scoped.name, real + sep + entry.name + sep + scoped.name, scoped, out);
      }
    } else visitPackage(nodeModules + sep + entry.name, real + sep + entry.name, entry, out);
  }
  return out;
}

function visitPackage(dir: string, realDir: string, entry: Dirent, out: Folder[]): void {
  if (entry.isSymbolicLink()) out.push({ dir });
  else if (entry.isDirectory()) {
    out.push({ dir, realDir });
    const nested = dir + sep + 'node_modules';
    // existsSync: no exception for the usual case of no nested node_modules.
    if (existsSync(nested)) nodeModulesFolders(nested, out, realDir + sep + 'node_modules');
  }
}

function pluginPaths(
  options: PluginDiscoveryOptions,
  root: string,
  env: Record<string, string | undefined>,
): { dir: string; from: string }[] {
  const configured = options.paths
    ? options.paths.map((path) => ({ dir: resolve(root, path), from: 'discovery.paths' }))
    : existsSync(join(root, 'plugins'))
      ? [{ dir: join(root, 'plugins'), from: 'the default ./plugins' }]
      : [];
  const fromEnv = (env[PLUGIN_PATHS_ENV] ?? '')
    .split(delimiter)
    .filter((path) => path.trim() !== '')
    .map((path) => ({ dir: resolve(root, path), from: PLUGIN_PATHS_ENV }));
  const seen = new Set<string>();
  return [...configured, ...fromEnv].filter((path) => !seen.has(path.dir) && seen.add(path.dir));
}

function sortedEntries(dir: string): Dirent[] | undefined {
  try {
    return readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return undefined;
  }
}
