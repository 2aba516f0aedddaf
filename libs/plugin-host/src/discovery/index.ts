export type { PluginCandidate } from './plugin-candidate.js';
export { discoverOptionClasses, discoverProviderClasses } from './class-discovery.js';
