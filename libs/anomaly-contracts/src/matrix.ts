import type { Matrix } from './plugin-kinds.interface.js';

/** What `matrixProblems` and `assertMatrix` accept: row and column bounds, and how many problems to report. */
export interface MatrixRules {
  /** Fewest rows accepted. Default 1. */
  minRows?: number;
  /** Most rows accepted. Default: no limit. */
  maxRows?: number;
  /** Most values per row accepted. Default: no limit. */
  maxColumns?: number;
  /** The width every row must have. Default: the first row's. */
  columns?: number;
  /** Report at most this many bad cells. Default 5. */
  maxProblems?: number;
}

/**
 * What is wrong with `data` as a matrix of finite numbers, with the row and
 * column of each bad cell (0-based): an empty list means it is valid. For
 * plugins to check input before working on it, and for hosts to validate requests.
 *
 * @example
 * matrixProblems([[1, 2], [3]]) // ['row 1 has 1 value, expected 2']
 */
export function matrixProblems(
  data: unknown,
  { minRows = 1, maxRows = Infinity, columns, maxColumns = Infinity, maxProblems = 5 }: MatrixRules = {},
): string[] {
  if (!Array.isArray(data))
    return [`data must be an array of rows (arrays of numbers), e.g. [[1, 2], [3, 4]]; got ${typeof data}`];
  if (data.length < minRows)
    return [`data has ${data.length} row${data.length === 1 ? '' : 's'}; at least ${minRows} needed`];
  if (data.length > maxRows) return [`data has ${data.length} rows; at most ${maxRows} are accepted`];
  const width = columns ?? (Array.isArray(data[0]) ? (data[0] as unknown[]).length : 0);
  if (width === 0) return ['rows must be non-empty arrays of numbers'];
  if (width > maxColumns) return [`rows have ${width} values; at most ${maxColumns} are accepted`];
  const problems: string[] = [];
  for (let r = 0; r < data.length && problems.length < maxProblems; r++) {
    const row: unknown = data[r];
    if (!Array.isArray(row)) {
      problems.push(`row ${r} is ${row === null ? 'null' : typeof row}, not an array of numbers`);
      continue;
    }
    if (row.length !== width) {
      problems.push(`row ${r} has ${row.length} value${row.length === 1 ? '' : 's'}, expected ${width}`);
      continue;
    }
    for (let c = 0; c < width && problems.length < maxProblems; c++) {
      const value: unknown = row[c];
      if (typeof value !== 'number')
        problems.push(`row ${r}, column ${c}: ${JSON.stringify(value) ?? String(value)} is not a number`);
      else if (!Number.isFinite(value)) problems.push(`row ${r}, column ${c}: ${value} is not a finite number`);
    }
  }
  return problems;
}

/** Narrows `data` to a `Matrix`, or throws a `RangeError` listing what is wrong (prefixed with `what`). */
export function assertMatrix(data: unknown, what: string, rules?: MatrixRules): asserts data is Matrix {
  const problems = matrixProblems(data, rules);
  if (problems.length > 0) throw new RangeError(`${what}: ${problems.join('; ')}`);
}
