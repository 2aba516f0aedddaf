import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertRegularFileOrAbsent, fileNameError } from './file-errors.js';

describe('file name errors', () => {
  const folder = mkdtempSync(join(tmpdir(), 'file-errors-'));
  mkdirSync(join(folder, 'sub'));
  writeFileSync(join(folder, 'a.csv'), 'x\n1\n');
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  const errorOf = async (name: string): Promise<unknown> =>
    readFile(join(folder, name), 'utf8').then(
      () => undefined,
      (error: unknown) => fileNameError(error, name),
    );

  it('turns an error about the name into a RangeError naming it', async () => {
    expect(await errorOf('nope.csv')).toEqual(new RangeError('"nope.csv" does not exist'));
    expect(await errorOf('sub')).toEqual(new RangeError('"sub" is a folder, not a file'));
    expect(await errorOf('a.csv/x')).toEqual(
      new RangeError('"a.csv/x" cannot be used: a part of it is a file, not a folder'),
    );
    expect(await errorOf(`${'n'.repeat(300)}.csv`)).toEqual(
      new RangeError(`"${'n'.repeat(300)}.csv" is too long a name`),
    );
  });

  it('leaves any other error as it was', () => {
    const other = Object.assign(new Error('disk on fire'), { code: 'EIO' });
    expect(fileNameError(other, 'a.csv')).toBe(other);
  });

  it('refuses folders and FIFOs before a read or write; a regular file or no file passes', async () => {
    await expect(assertRegularFileOrAbsent(join(folder, 'a.csv'), 'a.csv')).resolves.toBeUndefined();
    await expect(assertRegularFileOrAbsent(join(folder, 'new.csv'), 'new.csv')).resolves.toBeUndefined();
    await expect(assertRegularFileOrAbsent(join(folder, 'sub'), 'sub')).rejects.toThrow(
      new RangeError('"sub" is a folder, not a file'),
    );
    execFileSync('mkfifo', [join(folder, 'pipe.csv')]);
    await expect(assertRegularFileOrAbsent(join(folder, 'pipe.csv'), 'pipe.csv')).rejects.toThrow(
      new RangeError('"pipe.csv" is not a regular file'),
    );
  });
});
