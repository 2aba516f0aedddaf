import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonReportPlugin } from './json-report.plugin.js';
import { JsonReportConfig } from './report-config.js';

describe('json-report', () => {
  const folder = mkdtempSync(join(tmpdir(), 'json-report-'));
  let server: Server | undefined;
  afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  function plugin(config: Partial<JsonReportConfig> = {}): JsonReportPlugin {
    const report = new JsonReportPlugin();
    report.initialize(Object.assign(new JsonReportConfig(), { folder, ...config }), {} as never);
    return report;
  }

  /** A local webhook that records each request and answers with `status`. */
  async function webhook(status: number): Promise<{ url: string; received: { body: unknown; type?: string }[] }> {
    const received: { body: unknown; type?: string }[] = [];
    server = createServer((request: IncomingMessage, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString()));
      request.on('end', () => {
        received.push({ body: JSON.parse(text), type: request.headers['content-type'] });
        response.writeHead(status).end(status === 200 ? 'ok' : 'nope');
      });
    });
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/hook`, received };
  }

  const results = { algorithm: 'pyod', scores: [0.1, 0.9], labels: [0, 1], threshold: 0.5 };

  it('formats results as JSON and as CSV (one line per row)', () => {
    expect(JSON.parse(plugin().formatOutput(results))).toEqual(results);
    expect(plugin().formatOutput(results, 'csv')).toBe('row,scores,labels\n0,0.1,0\n1,0.9,1\n');
    expect(() => plugin().formatOutput(results, 'xml' as never)).toThrow('format "xml" is not supported');
  });

  it('exports rows to a file in the folder, and refuses paths outside it', async () => {
    const rows = [
      { row: 0, score: 0.1 },
      { row: 1, score: 0.9 },
    ];
    const jsonPath = await plugin().exportData(rows, 'json', 'run-1/report.json');
    expect(jsonPath).toBe(join(folder, 'run-1/report.json'));
    expect(JSON.parse(readFileSync(jsonPath, 'utf8'))).toEqual(rows);
    const csvPath = await plugin().exportData(rows, 'csv');
    expect(csvPath).toMatch(/report-.*\.csv$/);
    expect(readFileSync(csvPath, 'utf8')).toBe('row,score\n0,0.1\n1,0.9\n');
    await expect(plugin().exportData(rows, 'json', '../out.json')).rejects.toThrow(/outside the folder/);
  });

  it('lists the reports in its folder and reads one, confined to the folder', async () => {
    const own = mkdtempSync(join(tmpdir(), 'json-report-list-'));
    try {
      const reports = plugin({ folder: join(own, 'not-yet') });
      expect(await reports.listReports()).toEqual([]); // no folder yet: nothing written
      const inFolder = plugin({ folder: own });
      await inFolder.exportData([{ row: 0 }], 'json', 'a.json');
      await inFolder.exportData([{ row: 0 }], 'csv', 'b.csv');
      writeFileSync(join(own, 'notes.txt'), 'not a report');
      const listed = await inFolder.listReports();
      expect(listed.map((report) => report.file).sort()).toEqual(['a.json', 'b.csv']);
      expect(listed.find((report) => report.file === 'b.csv')).toMatchObject({ format: 'csv', bytes: 6 });
      expect(await inFolder.readReport('b.csv')).toEqual({ format: 'csv', content: 'row\n0\n' });
      await expect(inFolder.readReport('missing.json')).rejects.toThrow('"missing.json" does not exist');
      await expect(inFolder.readReport('../a.json')).rejects.toThrow(/outside the folder/);
      await expect(inFolder.readReport('notes.txt')).rejects.toThrow('format "txt" is not supported');
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('POSTs notifications as JSON to the webhook', async () => {
    const hook = await webhook(200);
    await plugin({ webhookUrl: hook.url }).sendNotification('2 anomalies', { run: 7 });
    expect(hook.received).toEqual([{ body: { message: '2 anomalies', run: 7 }, type: 'application/json' }]);
  });

  it('fails a notification the webhook refuses, or when none is configured', async () => {
    const hook = await webhook(500);
    await expect(plugin({ webhookUrl: hook.url }).sendNotification('x')).rejects.toThrow(
      `webhook ${hook.url} answered 500 Internal Server Error: nope`,
    );
    await expect(plugin().sendNotification('x')).rejects.toThrow(/no webhookUrl configured/);
  });

  it('notifies the webhook on detection.completed when enough anomalies were found', async () => {
    const hook = await webhook(200);
    const report = plugin({ webhookUrl: hook.url, notifyMinAnomalies: 2 });
    await expect(report.notifyAnomalies({ algorithm: 'pyod', rows: 10, anomalies: [3] })).resolves.toEqual({
      notified: false,
    });
    await expect(report.notifyAnomalies({ algorithm: 'pyod', rows: 10, anomalies: [3, 7] })).resolves.toEqual({
      notified: true,
    });
    expect(hook.received).toEqual([
      {
        body: { message: '2 anomalies in 10 rows (pyod)', algorithm: 'pyod', rows: 10, anomalies: [3, 7] },
        type: 'application/json',
      },
    ]);
    await expect(plugin().notifyAnomalies({ algorithm: 'pyod', rows: 1, anomalies: [0] })).resolves.toEqual({
      notified: false,
    });
  });
});
