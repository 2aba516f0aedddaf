export { PluginReferences, type LazyLoad } from './plugin-references.js';
