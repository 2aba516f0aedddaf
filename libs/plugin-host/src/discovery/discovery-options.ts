/** Where to look for plugin packages (npm packages whose package.json has a `nestPlugin` manifest). */
export interface PluginDiscoveryOptions {
  /**
   * The host's folder: its package.json and node_modules, and the base of relative `paths`. Default: the nearest
   * folder with a package.json above the script Node started (`dist/main.js`; for Jest or the Nest CLI, the
   * project that installed them), else `process.cwd()`. The root and what was found are logged at boot.
   */
  root?: string;
  /**
   * `dependencies` (default): the packages in the host package.json's `dependencies` and `optionalDependencies`.
   * `node_modules`: every package in the `node_modules` tree, scoped and nested ones included.
   * `none`: no installed packages (only `paths`).
   */
  scan?: 'dependencies' | 'node_modules' | 'none';
  /**
   * Plugin folders, relative to `root`; each sub-folder with a package.json carrying `nestPlugin` is a plugin package.
   * Default: `['./plugins']` when that folder exists. The `PLUGIN_PATHS` env var (`:`-separated; `;` on Windows) adds more.
   */
  paths?: string[];
  /** Only plugins whose name or package name matches one of these (`*` is a wildcard). Default: all. */
  include?: string[];
  /** Never plugins whose name or package name matches one of these; wins over `include`. */
  exclude?: string[];
  /** Plugin names (wildcards) to import on first use instead of at boot, besides those whose manifest says `lazy: true`. */
  lazy?: string[];
}
