import type { Type } from '@nestjs/common';
import { PluginError, PluginErrorCode, describeError } from '../errors/index.js';
import { getPluginMetadata, type PluginMetadata } from '../manifest/index.js';
import type { PluginPackage, PluginSource } from '../registry/index.js';
import { MODULE_FORMAT } from '../module-format.js';
import { loadEntry } from './fresh-import.js';
import { MANIFEST_KEY } from './plugin-entry.js';

/** A package plugin's class, with its manifest merged over what the class declares. */
export interface ImportedPlugin {
  pluginClass: Type<object>;
  metadata: PluginMetadata;
}

/**
 * Imports a package plugin's entry and picks its class: the manifest's `export`,
 * else the default export, else the single `@Plugin()` class exported. The
 * class's `@Plugin()` name must be the manifest's. `generation` > 0 imports a
 * fresh copy of the package's own modules (a reload).
 *
 * @throws PluginError `PLUGIN_LOAD_FAILED` (the module threw on import) or `PLUGIN_MANIFEST_INVALID` (no such export, or names differ)
 */
export async function importPackagePlugin(
  pkg: PluginPackage,
  manifest: PluginMetadata,
  source: PluginSource,
  generation = 0,
): Promise<ImportedPlugin> {
  const name = manifest.name;
  let exports: Record<string, unknown>;
  try {
    exports = await loadEntry(pkg.entryPath, pkg.dir, generation);
  } catch (error) {
    throw new PluginError(
      PluginErrorCode.LOAD_FAILED,
      `plugin "${name}" could not be imported from ${pkg.entryPath}: ${describeError(error)}. ${
        esModuleRefused(error)
          ? `This host runs the CommonJS build of nestjs-plugin-host (Jest without ESM, say), which cannot load that ES module: give the "${MANIFEST_KEY}" manifest an entry { "import": "<ES build>", "require": "<CommonJS build>" }, or run the host as an ES module.`
          : `Check that ${pkg.name} is built and its own dependencies are installed.`
      }`,
      { plugin: name, phase: 'load', cause: error, details: { file: pkg.entryPath } },
    );
  }

  const invalid = (field: string, problem: string): PluginError =>
    new PluginError(
      PluginErrorCode.MANIFEST_INVALID,
      `plugin "${name}" (${source.description}): ${problem}. Fix the "${MANIFEST_KEY}" field of ${source.file}.`,
      {
        plugin: name,
        details: { file: source.file, fields: [field] },
      },
    );

  const pluginClass = pickExport(exports, pkg.exportName);
  if (typeof pluginClass === 'string') throw invalid('export', pluginClass.replace('$entry', pkg.entryPath));
  const declared = getPluginMetadata(pluginClass);
  if (!declared)
    throw invalid(
      'export',
      `export ${pkg.exportName ?? 'default'} of ${pkg.entryPath} (class ${pluginClass.name}) has no @Plugin() decorator`,
    );
  if (declared.name !== name) {
    throw invalid(
      'name',
      `the manifest names the plugin "${name}" but class ${pluginClass.name} declares @Plugin({ name: "${declared.name}" }); make them the same`,
    );
  }
  return { pluginClass, metadata: mergeMetadata(manifest, declared) };
}

/** `require()` met an ES module it cannot load: Jest's CommonJS runtime (a syntax error) or top-level await in Node. */
function esModuleRefused(error: unknown): boolean {
  if (MODULE_FORMAT !== 'require') return false;
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    code === 'ERR_REQUIRE_ESM' ||
    code === 'ERR_REQUIRE_ASYNC_MODULE' ||
    ((error as Error | undefined)?.name === 'SyntaxError' && /\b(import|export)\b/.test(String(message))) // a SyntaxError of Jest's realm
  );
}

/** The chosen class, or what is wrong (with `$entry` standing for the file). */
function pickExport(exports: Record<string, unknown>, exportName: string | undefined): Type<object> | string {
  if (exportName !== undefined) {
    const value = exports[exportName];
    if (typeof value === 'function') return value as Type<object>;
    const available = Object.keys(exports).join(', ') || 'none';
    return `export "${exportName}" ${value === undefined ? 'does not exist in' : 'is not a class in'} $entry (exports: ${available})`;
  }
  if (typeof exports.default === 'function') return exports.default as Type<object>;
  const decorated = Object.values(exports).filter(
    (value): value is Type<object> => typeof value === 'function' && getPluginMetadata(value) !== undefined,
  );
  if (decorated.length === 1) return decorated[0];
  return decorated.length === 0
    ? 'export is not set and $entry has no default export and no exported @Plugin() class'
    : `export is not set and $entry exports ${decorated.length} @Plugin() classes (${decorated.map((c) => c.name).join(', ')}); set "export" to one of them`;
}

/**
 * Name, type, version and compatibility come from the manifest (they were checked
 * before the import; a compatibility only the class declares is checked after it);
 * other fields the manifest sets win over the class's; npm requirements are the
 * union of both.
 */
function mergeMetadata(manifest: PluginMetadata, declared: PluginMetadata): PluginMetadata {
  const merged: PluginMetadata = { ...declared };
  for (const [key, value] of Object.entries(manifest)) {
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  const requires = [...new Set([...(declared.requires ?? []), ...(manifest.requires ?? [])])];
  if (requires.length) merged.requires = requires;
  return merged;
}
