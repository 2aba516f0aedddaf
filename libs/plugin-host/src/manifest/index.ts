export type { PluginTypeName } from './plugin-type.js';
export { ISOLATION_TIERS, type IsolationTier, type OptionalRequirement, type PluginMetadata, type PluginTimeouts } from './plugin-metadata.interface.js';
export { Plugin, getPluginMetadata } from './plugin.decorator.js';
export { classShapeProblem, validatePluginMetadata, isValidTimeout } from './manifest-validation.js';
export { checkCompatibility, type CompatibilityVerdict } from './compatibility.js';
