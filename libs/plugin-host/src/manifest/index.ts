export type { PluginTypeName } from './plugin-type.js';
export { type OptionalRequirement, type PluginMetadata, type PluginTimeouts } from './plugin-metadata.interface.js';
export { getPluginMetadata } from './plugin.decorator.js';
export { classShapeProblem, validatePluginMetadata, isValidTimeout } from './manifest-validation.js';
export { checkCompatibility } from './compatibility.js';
