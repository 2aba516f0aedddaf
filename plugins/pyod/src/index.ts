export { PyodPlugin, PYOD_PARAMS, type PyodModel, type PyodParams } from './pyod.plugin.js';
export { PyodConfig, PYOD_METHODS, type PyodMethod } from './pyod-config.js';
