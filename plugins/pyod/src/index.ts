export { PyodPlugin, PYOD_PARAMS, type PyodModel, type PyodParams } from './pyod.plugin.js';
export { PyodConfig, PYOD_METHODS, type PyodMethod } from './pyod-config.js';
export { MAX_STORED_MODELS, ModelStore, type StoredModel } from './model-store.js';
export { ModelsController } from './models.controller.js';
