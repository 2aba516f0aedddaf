export { getPluginToken, getPluginTypeToken } from './plugin-tokens.js';
export { InjectPlugin, InjectPlugins, requestedPluginNames, requestedPluginTypes } from './inject-plugin.decorator.js';
export {
  createForwardingReference,
  createLazyReference,
  createMissingReference,
  createUnavailablePrototype,
  pluginMethodNames,
  returnsPromise,
  swapPrototype,
  type ForwardingReference,
} from './plugin-references.js';
