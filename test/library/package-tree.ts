import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository: trees inside it resolve `nestjs-plugin-host` in plain Node (workers, child processes) as a host would. */
export const REPO = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A throw-away folder of npm packages for discovery tests; `remove()` deletes it.
 * Made in the OS temp folder, or under `base` (`.tmp-*`, ignored by git).
 */
export class PackageTree {
  readonly root: string;

  constructor(base?: string) {
    this.root = mkdtempSync(base ? join(base, '.tmp-plugin-tree-') : join(tmpdir(), 'plugin-tree-'));
  }

  /** Writes a file (objects as JSON) under the root, creating folders. */
  write(path: string, content: string | object): string {
    const file = join(this.root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return file;
  }

  /** The host's own package.json. */
  host(dependencies: Record<string, string> = {}): this {
    this.write('package.json', { name: 'test-host', version: '1.0.0', type: 'module', dependencies });
    return this;
  }

  /** A package folder with a package.json (plus `nestPlugin` when given) and files. */
  package(
    dir: string,
    pkg: { name: string; version?: string; nestPlugin?: unknown },
    files: Record<string, string> = {},
  ): this {
    this.write(join(dir, 'package.json'), { version: '1.0.0', type: 'module', ...pkg });
    for (const [path, content] of Object.entries(files)) this.write(join(dir, path), content);
    return this;
  }

  /** A plugin package whose entry `index.js` holds one plugin class (see `pluginModule`). */
  plugin(dir: string, name: string, manifest: Record<string, unknown> = {}, code: PluginCode = {}): this {
    const packageName = (manifest.packageName as string | undefined) ?? name;
    delete manifest.packageName;
    return this.package(
      dir,
      {
        name: packageName,
        version: '1.0.0',
        nestPlugin: { name, type: 'custom', entry: './index.js', compatibility: '^0.1.0', ...manifest },
      },
      { 'index.js': pluginModule(name, code) },
    );
  }

  read(path: string): string {
    return readFileSync(join(this.root, path), 'utf8');
  }

  link(path: string, target: string): this {
    mkdirSync(dirname(join(this.root, path)), { recursive: true });
    symlinkSync(target, join(this.root, path));
    return this;
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export interface PluginCode {
  /** The name in the class's `@Plugin()` (default: the plugin's). */
  declaredName?: string;
  /** Extra members of the class body (JavaScript). */
  members?: string;
  /** Extra `@Plugin()` fields (JSON-able). */
  metadata?: Record<string, unknown>;
}

/** Names of the plugin modules that ran (each module appends its plugin name when imported). */
export function importedPlugins(): string[] {
  return ((globalThis as Record<string, unknown>).__importedPlugins as string[] | undefined) ?? [];
}

/**
 * A real ESM plugin module: importing it records the import (a side effect tests
 * check); its class answers `greet` (async), `shout` (sync) and counts `initialize` calls.
 */
export function pluginModule(
  name: string,
  { declaredName = name, members = '', metadata = {} }: PluginCode = {},
): string {
  return `import { Plugin } from 'nestjs-plugin-host';
globalThis.__importedPlugins = [...(globalThis.__importedPlugins ?? []), ${JSON.stringify(name)}];
export class Plugin_${name.replace(/[^A-Za-z0-9]/g, '_')} {
  initialized = 0;
  async initialize() { this.initialized++; }
  async greet(who) { return 'hello ' + who + ' from ${name}'; }
  shout() { return '${name}!'; }
  ${members}
}
Plugin(${JSON.stringify({ name: declaredName, type: 'custom', version: '9.9.9', ...metadata })})(Plugin_${name.replace(/[^A-Za-z0-9]/g, '_')});
`;
}
