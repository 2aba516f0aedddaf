export type { PluginCandidate } from './plugin-candidate.js';
export { discoverOptionClasses, discoverProviderClasses } from './class-discovery.js';
export { discoverPackages } from './package-discovery.js';
export { readPackagePlugins, resolveRealEntry } from './package-manifest.js';
export { importPackagePlugin, type ImportedPlugin } from './plugin-import.js';
