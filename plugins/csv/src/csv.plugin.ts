import { mkdir, readFile, stat, writeFile, access } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
// Types only: the demo runs this plugin in the process tier, which reads its own folder and node_modules, and a
// workspace link to the contracts' sources is neither (see docs/security-and-isolation.md, allowRead).
import type { DataSourcePlugin } from '@nestjs-plugin-host/anomaly-contracts';
import {
  Plugin,
  assertRegularFileOrAbsent,
  fileNameError,
  resolveInside,
  type PluginContext,
  type PluginHealth,
} from 'nestjs-plugin-host';
import { CsvConfig } from './csv-config.js';
import { convertValue, formatCsv, inferType, parseCsv, type ColumnType } from './csv-format.js';

/** What `readData` accepts: a file name, or the file with options. */
export interface CsvQuery {
  file?: string;
  /** Read at most this many data rows. */
  limit?: number;
  /** Keep only these columns (in this order). */
  columns?: string[];
}

/**
 * Reads and writes CSV files with a header row, all inside one folder: file names
 * are relative to it, and `..`, absolute paths and symlinks leading out are
 * refused with a `RangeError`. Values are typed per column (numbers, booleans,
 * strings; empty cells are null).
 */
@Plugin({
  name: 'csv',
  type: 'data-source', // PluginType.DATA_SOURCE
  version: '1.0.0',
  description: 'CSV files in one folder: read, write, schema',
  compatibility: '^0.1.0',
  configSchema: CsvConfig,
})
export class CsvPlugin implements DataSourcePlugin<CsvConfig> {
  private config = new CsvConfig();
  private folder = resolve(this.config.folder);

  initialize(config: CsvConfig, _ctx: PluginContext<CsvConfig>): Promise<void> {
    this.config = config;
    return this.connect();
  }

  /** Points the plugin at a folder (default: the configured one), creating it when missing. */
  async connect(options: { folder?: string } = {}): Promise<void> {
    this.folder = resolve(options.folder ?? this.config.folder);
    await mkdir(this.folder, { recursive: true });
  }

  /** The folder exists and can be read and written. */
  async testConnection(): Promise<boolean> {
    try {
      if (!(await stat(this.folder)).isDirectory()) return false;
      await access(this.folder, constants.R_OK | constants.W_OK);
      return true;
    } catch {
      return false;
    }
  }

  async healthCheck(): Promise<PluginHealth> {
    const ok = await this.testConnection();
    return ok
      ? { status: 'up', details: { folder: this.folder } }
      : { status: 'down', message: `folder ${this.folder} cannot be read and written` };
  }

  /** The rows of a CSV file as objects keyed by the header, values typed per column. */
  async readData(query: string | CsvQuery = {}): Promise<Record<string, unknown>[]> {
    const { file, limit, columns } = typeof query === 'string' ? { file: query } : query;
    const { header, rows, types } = await this.load(file);
    const keep = columns ?? header;
    for (const column of keep)
      if (!header.includes(column))
        throw new RangeError(`column "${column}" is not in the file (columns: ${header.join(', ')})`);
    const index = keep.map((column) => header.indexOf(column));
    return rows
      .slice(0, limit ?? rows.length)
      .map((fields) =>
        Object.fromEntries(keep.map((column, i) => [column, convertValue(fields[index[i]] ?? '', types[index[i]])])),
      );
  }

  /** Writes rows (header: the union of their keys) to `target`, replacing it; returns the number of rows written. */
  async writeData(rows: Record<string, unknown>[], target?: string): Promise<number> {
    const path = this.pathOf(target);
    const name = this.nameOf(target);
    try {
      await assertRegularFileOrAbsent(path, name);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, formatCsv(rows, this.config.delimiter));
    } catch (error) {
      throw fileNameError(error, name);
    }
    return rows.length;
  }

  /** Column name → inferred type (`number`, `boolean`, `string`, `empty`). */
  async getSchema(file?: string): Promise<Record<string, ColumnType>> {
    const { header, types } = await this.load(file);
    return Object.fromEntries(header.map((column, i) => [column, types[i]]));
  }

  private pathOf(file: string | undefined): string {
    return resolveInside(this.folder, this.nameOf(file));
  }

  /** The file asked for, else the configured default. */
  private nameOf(file: string | undefined): string {
    const name = file ?? this.config.defaultFile;
    if (!name) throw new RangeError('no file given and no defaultFile configured');
    return name;
  }

  private async load(file: string | undefined): Promise<{ header: string[]; rows: string[][]; types: ColumnType[] }> {
    const path = this.pathOf(file);
    const name = this.nameOf(file);
    let text: string;
    try {
      await assertRegularFileOrAbsent(path, name); // a folder or a FIFO is the caller's mistake, not an I/O failure
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new RangeError(`file "${name}" does not exist in ${this.folder}`, { cause: error });
      throw fileNameError(error, name);
    }
    const [header, ...rows] = parseCsv(text, this.config.delimiter);
    if (!header) throw new RangeError(`file "${file}" is empty; a header row is needed`);
    const ragged = rows.findIndex((row) => row.length !== header.length);
    if (ragged !== -1)
      throw new RangeError(
        `line ${ragged + 2} of "${file}" has ${rows[ragged].length} fields, the header has ${header.length}`,
      );
    const types = header.map((_, i) => inferType(rows.map((row) => row[i])));
    return { header, rows, types };
  }
}
