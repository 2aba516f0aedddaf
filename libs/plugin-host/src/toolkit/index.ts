export { resolveInside } from './confined-path.js';
export { MAX_JSON_DEPTH, jsonShapeProblem } from './json-shape.js';
export { schemaProblems, type SchemaProblemsOptions } from './schema-problems.js';
export { assertRegularFileOrAbsent, fileNameError } from './file-errors.js';
