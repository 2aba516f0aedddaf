export { PluginReferences, type LazyLoad } from './plugin-references.js';
export { PluginExports } from './plugin-exports.js';
