export type { PluginCandidate } from './plugin-candidate.js';
export { discoverOptionClasses, discoverProviderClasses } from './class-discovery.js';
export { appRoot, discoverPackages, discoveryLine, PLUGIN_PATHS_ENV, type PackageDiscovery } from './package-discovery.js';
export { MANIFEST_KEY, readPackagePlugins, resolveRealEntry } from './package-manifest.js';
export { importPackagePlugin, type ImportedPlugin } from './plugin-import.js';
export { createNameFilter, wildcardMatcher } from './name-filter.js';
