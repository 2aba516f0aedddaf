export { CsvPlugin, type CsvQuery } from './csv.plugin.js';
export { CsvConfig } from './csv-config.js';
export { formatCsv, parseCsv, inferType, type ColumnType } from './csv-format.js';
