export type { PluginCandidate } from './plugin-candidate.js';
export { discoverOptionClasses, discoverProviderClasses } from './class-discovery.js';
export { discoverPackages } from './package-discovery.js';
export { readPackagePlugins } from './package-manifest.js';
export { resolveRealEntry } from './plugin-entry.js';
export { importPackagePlugin, type ImportedPlugin } from './plugin-import.js';
