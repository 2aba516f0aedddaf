export { PluginErrorCode } from './plugin-error-code.js';
export { PluginError, describeError, describeValue } from './plugin-error.js';
export { PluginErrorFilter } from './plugin-error.filter.js';
