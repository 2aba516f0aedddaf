export { getPluginToken, getPluginTypeToken } from './plugin-tokens.js';
export { InjectPlugin, InjectPlugins, pluginInjections, type PluginInjection } from './inject-plugin.decorator.js';
export {
  createMissingReference,
  createPluginReference,
  createUnavailablePrototype,
  exposeFields,
  InFlightCalls,
  pluginMethodNames,
  returnsPromise,
  type PluginReference,
} from './plugin-references.js';
