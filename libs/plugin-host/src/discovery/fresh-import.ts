import { createRequire, register } from 'node:module';
import { sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MODULE_FORMAT } from '../module-format.js';

/**
 * ESM modules cannot be unloaded, so a reload imports a fresh copy: the entry's
 * URL gets `?nest-plugin-reload=<n>`, and a resolve hook (registered on the first
 * reload) gives the same query to every file the fresh copy imports from its own
 * package folder, so the plugin's own files are new while its dependencies (in
 * `node_modules`) and the host's modules stay shared. Each reload keeps the old
 * copy of the plugin's own modules in memory (see the README's numbers).
 */
const RELOAD_HOOKS = `
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  const parent = context.parentURL;
  const at = parent ? parent.indexOf('?') : -1;
  if (at === -1 || !result.url.startsWith('file:')) return result;
  const query = new URLSearchParams(parent.slice(at + 1));
  const generation = query.get('nest-plugin-reload');
  const root = query.get('nest-plugin-root');
  if (!generation || !root) return result;
  const url = result.url.split('?')[0];
  if (!url.startsWith(root) || url.slice(root.length).includes('/node_modules/')) return result;
  return { ...result, url: url + '?' + new URLSearchParams({ 'nest-plugin-reload': generation, 'nest-plugin-root': root }) };
}
`;

let hooksRegistered = false;

function registerReloadHooks(): void {
  if (hooksRegistered) return;
  hooksRegistered = true;
  try {
    register(`data:text/javascript,${encodeURIComponent(RELOAD_HOOKS)}`);
  } catch (error) {
    // Without hooks (an old Node, or a test runner with its own module system) only the entry file is re-imported.
    process.emitWarning(`nestjs-plugin-host: plugin reload re-imports only entry files: ${(error as Error).message}`);
  }
}

/** The URL to import a plugin entry from: as is for the first load, a fresh copy of the package's own files for reload `generation`. */
function entryUrl(entryPath: string, packageDir: string, generation: number): string {
  const url = pathToFileURL(entryPath).href;
  if (generation === 0) return url;
  registerReloadHooks();
  return `${url}?${new URLSearchParams({ 'nest-plugin-reload': String(generation), 'nest-plugin-root': `${pathToFileURL(packageDir).href}/` })}`;
}

/**
 * Loads a plugin entry the way this build of the library loads modules: `import()` in the ES build, `require()`
 * in the CommonJS one (Node 20.19+ can `require()` an ES module; Jest's CommonJS runtime cannot, and gets a
 * clear error from the caller). A reload first drops the package's own CommonJS files (not its `node_modules`)
 * from the require cache, which `import()` of a CommonJS file uses too.
 */
export async function loadEntry(
  entryPath: string,
  packageDir: string,
  generation: number,
): Promise<Record<string, unknown>> {
  // CommonJS files (a CommonJS plugin, even when imported) are cached by path, whatever the URL's query.
  if (generation > 0) forgetPackage(packageDir);
  if (MODULE_FORMAT === 'import')
    return (await import(entryUrl(entryPath, packageDir, generation))) as Record<string, unknown>;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the CommonJS build's own require (Jest's, under Jest)
  return require(entryPath) as Record<string, unknown>;
}

function forgetPackage(packageDir: string): void {
  const cache = MODULE_FORMAT === 'require' ? require.cache : createRequire(import.meta.url).cache;
  const prefix = packageDir + sep;
  for (const file of Object.keys(cache)) {
    if (file.startsWith(prefix) && !file.slice(prefix.length).split(sep).includes('node_modules')) delete cache[file];
  }
}
