import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvConfig } from './csv-config.js';
import { formatCsv, parseCsv } from './csv-format.js';
import { CsvPlugin } from './csv.plugin.js';

describe('csv', () => {
  const base = mkdtempSync(join(tmpdir(), 'csv-plugin-'));
  const folder = join(base, 'data');
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  async function plugin(config: Partial<CsvConfig> = {}): Promise<CsvPlugin> {
    const csv = new CsvPlugin();
    await csv.initialize(Object.assign(new CsvConfig(), { folder, ...config }), {} as never);
    return csv;
  }

  it('parses quoted fields, doubled quotes and CRLF, and formats them back', () => {
    const text = 'name,note\r\n"Smith, J","said ""hi"""\r\nplain,"two\nlines"\r\n';
    const rows = parseCsv(text);
    expect(rows).toEqual([
      ['name', 'note'],
      ['Smith, J', 'said "hi"'],
      ['plain', 'two\nlines'],
    ]);
    expect(parseCsv(formatCsv([{ name: 'Smith, J', note: 'said "hi"' }]))).toEqual(rows.slice(0, 2));
    expect(() => parseCsv('a\n"open')).toThrow(/closing " is missing/);
  });

  it('reads rows typed per column, and infers the schema', async () => {
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'sensors.csv'), 'id,temp,ok,site\n1,20.5,true,north\n2,,false,south\n3,-1e2,TRUE,\n');
    const csv = await plugin();
    expect(await csv.readData('sensors.csv')).toEqual([
      { id: 1, temp: 20.5, ok: true, site: 'north' },
      { id: 2, temp: null, ok: false, site: 'south' },
      { id: 3, temp: -100, ok: true, site: '' },
    ]);
    expect(await csv.getSchema('sensors.csv')).toEqual({ id: 'number', temp: 'number', ok: 'boolean', site: 'string' });
    expect(await csv.readData({ file: 'sensors.csv', columns: ['temp', 'id'], limit: 1 })).toEqual([
      { temp: 20.5, id: 1 },
    ]);
    await expect(csv.readData({ file: 'sensors.csv', columns: ['nope'] })).rejects.toThrow(
      'column "nope" is not in the file',
    );
  });

  it('writes rows with a header and reads them back', async () => {
    const csv = await plugin({ defaultFile: 'out/result.csv' });
    await expect(
      csv.writeData([
        { a: 1, b: 'x,y' },
        { a: 2, c: true },
      ]),
    ).resolves.toBe(2);
    expect(readFileSync(join(folder, 'out/result.csv'), 'utf8')).toBe('a,b,c\n1,"x,y",\n2,,true\n');
    expect(await csv.readData()).toEqual([
      { a: 1, b: 'x,y', c: null },
      { a: 2, b: '', c: true },
    ]);
  });

  it('refuses paths outside the folder', async () => {
    mkdirSync(join(base, 'secret'), { recursive: true });
    writeFileSync(join(base, 'secret/keys.csv'), 'k\n1\n');
    symlinkSync(join(base, 'secret'), join(folder, 'link'));
    const csv = await plugin();
    await expect(csv.readData('../secret/keys.csv')).rejects.toThrow(RangeError);
    await expect(csv.readData('/etc/passwd')).rejects.toThrow(/absolute/);
    await expect(csv.readData('link/keys.csv')).rejects.toThrow(/symlink/);
    await expect(csv.writeData([{ a: 1 }], '../escape.csv')).rejects.toThrow(/outside the folder/);
  });

  it('reports a missing file, ragged lines and connection state', async () => {
    writeFileSync(join(folder, 'ragged.csv'), 'a,b\n1,2\n3\n');
    const csv = await plugin();
    await expect(csv.readData('missing.csv')).rejects.toThrow('file "missing.csv" does not exist');
    await expect(csv.readData('ragged.csv')).rejects.toThrow('line 3 of "ragged.csv" has 1 fields, the header has 2');
    await expect(csv.testConnection()).resolves.toBe(true);
    await csv.connect({ folder: join(base, 'fresh') });
    await expect(csv.testConnection()).resolves.toBe(true);
    await expect(csv.healthCheck()).resolves.toMatchObject({ status: 'up', details: { folder: join(base, 'fresh') } });
  });
});
