export {
  createMissingReference,
  createPluginReference,
  createUnavailablePrototype,
  exposeFields,
  InFlightCalls,
  returnsPromise,
  type PluginReference,
} from './plugin-references.js';
