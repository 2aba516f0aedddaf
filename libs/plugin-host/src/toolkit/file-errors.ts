import { stat } from 'node:fs/promises';

/**
 * A file system error about the file name a caller gave (it does not exist, it
 * is a folder, a part of it is a file, it is too long, it loops through
 * symlinks) as the `RangeError` a plugin throws for bad input, naming `name`;
 * any other error is returned as it was. For plugins that read or write files
 * named by their callers, beside `resolveInside`.
 *
 * @example
 * try { return await readFile(resolveInside(folder, name), 'utf8'); } catch (error) { throw fileNameError(error, name); }
 */
export function fileNameError(error: unknown, name: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason =
    code === 'ENOENT'
      ? 'does not exist'
      : code === 'EISDIR'
        ? 'is a folder, not a file'
        : code === 'ENOTDIR' || code === 'EEXIST'
          ? 'cannot be used: a part of it is a file, not a folder'
          : code === 'ENAMETOOLONG'
            ? 'is too long a name'
            : code === 'ELOOP'
              ? 'leads into a loop of symlinks'
              : undefined;
  return reason ? new RangeError(`"${name}" ${reason}`, { cause: error }) : error;
}

/**
 * Throws a `RangeError` when `path` exists and is not a regular file (a folder, a FIFO, a device): reading
 * a FIFO or writing to one waits forever. `name` is what the caller gave.
 */
export async function assertRegularFileOrAbsent(path: string, name: string): Promise<void> {
  let found;
  try {
    found = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw fileNameError(error, name);
  }
  if (found.isDirectory()) throw new RangeError(`"${name}" is a folder, not a file`);
  if (!found.isFile()) throw new RangeError(`"${name}" is not a regular file`);
}
