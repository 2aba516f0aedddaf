export { SampleDataPlugin } from './sample-data.plugin.js';
export { SampleDataConfig } from './sample-data-config.js';
export { DatasetsController } from './datasets.controller.js';
export { DATASETS, type Dataset, type DatasetInfo } from './datasets.js';
