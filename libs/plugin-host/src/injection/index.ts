export { getPluginToken, getPluginTypeToken } from './plugin-tokens.js';
export { InjectPlugin, InjectPlugins, requestedPluginNames, requestedPluginTypes } from './inject-plugin.decorator.js';
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
