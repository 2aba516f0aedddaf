import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SampleDataPlugin } from './sample-data.plugin.js';

describe('sample-data', () => {
  it('makes the same datasets every time, with the planted rows far out', () => {
    const first = new SampleDataPlugin().dataset('sensors');
    const again = new SampleDataPlugin().dataset('sensors');
    expect(again).toEqual(first);
    expect(first.rows).toHaveLength(500);
    expect(first.anomalies).toHaveLength(10);
    const temperatures = first.rows.map((row) => row[0] as number);
    const planted = new Set(first.anomalies);
    const normal = temperatures.filter((_, i) => !planted.has(i));
    const mean = normal.reduce((a, b) => a + b, 0) / normal.length;
    // Every planted row is out on some column; the normal rows stay within 5 standard deviations.
    expect(Math.max(...normal.map((t) => Math.abs(t - mean)))).toBeLessThan(5 * 2.5);
  });

  it('lists the datasets with counts, and names the known ones for an unknown name', () => {
    const plugin = new SampleDataPlugin();
    expect(plugin.datasets().map(({ name, rows, anomalies }) => ({ name, rows, anomalies }))).toEqual([
      { name: 'sensors', rows: 500, anomalies: 10 },
      { name: 'transactions', rows: 1000, anomalies: 15 },
    ]);
    expect(() => plugin.dataset('toString')).toThrow('no dataset "toString" (known: sensors, transactions)');
  });

  it('saves a dataset as JSON inside its folder', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sample-data-'));
    try {
      const plugin = new SampleDataPlugin();
      plugin.initialize({ folder }, undefined as never);
      const file = await plugin.save('transactions');
      expect(file).toBe(join(folder, 'transactions.json'));
      expect(JSON.parse(readFileSync(file, 'utf8')).rows).toHaveLength(1000);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
