export { SklearnPlugin, WORKER_SCRIPT, type SklearnModel, type SklearnParams } from './sklearn.plugin.js';
export { SklearnConfig, SKLEARN_METHODS, type SklearnMethod } from './sklearn-config.js';
export { findPython, DEFAULT_PYTHONS, type PythonFound, type PythonSearch } from './find-python.js';
export { PythonWorker, PythonCallError } from './python-worker.js';
