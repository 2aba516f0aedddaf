import { describe, expect, it } from '@jest/globals';
import { assertMatrix, matrixProblems } from './matrix.js';

describe('matrixProblems', () => {
  it('accepts a rectangular matrix of finite numbers', () => {
    expect(
      matrixProblems(
        [
          [1, 2],
          [3, 4],
        ],
        { minRows: 2 },
      ),
    ).toEqual([]);
  });

  it('names the row and column of each bad cell', () => {
    expect(matrixProblems([[1, 2], [3], [NaN, 'x'], null])).toEqual([
      'row 1 has 1 value, expected 2',
      'row 2, column 0: NaN is not a finite number',
      'row 2, column 1: "x" is not a number',
      'row 3 is null, not an array of numbers',
    ]);
  });

  it('checks the number of rows and a given width', () => {
    expect(matrixProblems([[1]], { minRows: 2 })).toEqual(['data has 1 row; at least 2 needed']);
    expect(matrixProblems([[1, 2]], { columns: 3 })).toEqual(['row 0 has 2 values, expected 3']);
    expect(matrixProblems('rows')[0]).toMatch(/must be an array of rows/);
  });

  it('checks the most rows and columns accepted before looking at any cell', () => {
    expect(matrixProblems([[1], [2], ['x']], { maxRows: 2 })).toEqual(['data has 3 rows; at most 2 are accepted']);
    expect(matrixProblems([[1, 2, 3]], { maxColumns: 2 })).toEqual(['rows have 3 values; at most 2 are accepted']);
    expect(matrixProblems([[1, 2]], { maxRows: 1, maxColumns: 2 })).toEqual([]);
  });

  it('assertMatrix throws a RangeError with the problems', () => {
    expect(() => assertMatrix([[1], [Infinity]], 'scaler cannot fit')).toThrow(
      new RangeError('scaler cannot fit: row 1, column 0: Infinity is not a finite number'),
    );
  });
});
