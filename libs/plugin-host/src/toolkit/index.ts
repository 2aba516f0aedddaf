export { assertMatrix, matrixProblems, type MatrixRules } from './matrix.js';
export { resolveInside } from './confined-path.js';
