import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { formatCsv } from '@nestjs-plugin-host/csv';
import { PluginType, type OutputPlugin } from '@nestjs-plugin-host/anomaly-contracts';
import {
  OnHook,
  Plugin,
  assertRegularFileOrAbsent,
  fileNameError,
  resolveInside,
  type PluginContext,
  type PluginHealth,
} from 'nestjs-plugin-host';
import { JsonReportConfig } from './report-config.js';
import { ReportsController } from './reports.controller.js';

export type ReportFormat = 'json' | 'csv';

/** The payload of the host's `detection.completed` hook. */
export interface DetectionCompleted {
  algorithm: string;
  rows: number;
  anomalies: number[];
  threshold?: number;
}
export const REPORT_FORMATS: readonly ReportFormat[] = ['json', 'csv'];

/** A report file in the folder, as `listReports` gives it. */
export interface ReportFile {
  file: string;
  format: ReportFormat;
  bytes: number;
  modified: string;
}

/**
 * Turns detection results into reports: `formatOutput` renders them as JSON or
 * CSV, `exportData` writes rows to a file in the configured folder, and
 * `sendNotification` POSTs a message to the configured webhook. Its routes list
 * and serve the reports in the folder: `GET /plugins/json-report/reports` and
 * `GET /plugins/json-report/reports/:file`.
 */
@Plugin({
  name: 'json-report',
  type: PluginType.OUTPUT,
  version: '1.0.0',
  description: 'JSON and CSV reports, files and webhook notifications',
  compatibility: '^0.1.0',
  configSchema: JsonReportConfig,
  controllers: [ReportsController],
})
export class JsonReportPlugin implements OutputPlugin<JsonReportConfig> {
  private config = new JsonReportConfig();

  initialize(config: JsonReportConfig, _ctx: PluginContext<JsonReportConfig>): void {
    this.config = config;
  }

  healthCheck(): PluginHealth {
    return {
      status: 'up',
      details: { folder: resolve(this.config.folder), webhook: this.config.webhookUrl !== undefined },
    };
  }

  /**
   * JSON: the results, indented. CSV: one line per row, the columns being every
   * array field of the results that has one value per row (e.g. `scores`,
   * `labels`), after a leading `row` index.
   */
  formatOutput(results: Record<string, unknown>, format: ReportFormat = 'json'): string {
    checkFormat(format);
    if (format === 'json') return `${JSON.stringify(results, null, 2)}\n`;
    const columns = Object.entries(results).filter((entry): entry is [string, unknown[]] => Array.isArray(entry[1]));
    const length = columns[0]?.[1].length ?? 0;
    const perRow = columns.filter(([, values]) => values.length === length);
    if (perRow.length === 0) throw new RangeError('CSV needs at least one array field in the results (e.g. scores)');
    const rows = Array.from({ length }, (_, i) =>
      Object.fromEntries([['row', i], ...perRow.map(([name, values]) => [name, values[i]])]),
    );
    return formatCsv(rows);
  }

  /** Writes rows as JSON (an array) or CSV to `file` inside the configured folder; returns the file's absolute path. */
  async exportData(
    data: Record<string, unknown>[],
    format: ReportFormat | string = 'json',
    file?: string,
  ): Promise<string> {
    checkFormat(format);
    if (!Array.isArray(data)) throw new RangeError('exportData needs an array of rows');
    const name = file ?? `report-${new Date().toISOString().replace(/[:.]/g, '-')}.${format}`;
    const path = resolveInside(this.config.folder, name);
    try {
      await assertRegularFileOrAbsent(path, name); // a folder or a FIFO is the caller's mistake, not an I/O failure
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, format === 'json' ? `${JSON.stringify(data, null, 2)}\n` : formatCsv(data));
    } catch (error) {
      throw fileNameError(error, name);
    }
    return path;
  }

  /** The reports in the folder (JSON and CSV files), newest first. */
  async listReports(): Promise<ReportFile[]> {
    const folder = resolve(this.config.folder);
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []; // nothing written yet
      throw error;
    }
    const reports = await Promise.all(
      entries
        .filter((entry) => entry.isFile() && REPORT_FORMATS.includes(formatOf(entry.name) as ReportFormat))
        .map(async (entry) => {
          const info = await stat(join(folder, entry.name));
          const format = formatOf(entry.name) as ReportFormat;
          return { file: entry.name, format, bytes: info.size, modified: info.mtime.toISOString() };
        }),
    );
    return reports.sort((a, b) => b.modified.localeCompare(a.modified) || a.file.localeCompare(b.file));
  }

  /**
   * One report's text. `file` names a JSON or CSV file inside the folder; anything else (outside it, through a
   * symlink, another extension, missing) is a `RangeError` naming it.
   */
  async readReport(file: string): Promise<{ format: ReportFormat; content: string }> {
    const format = formatOf(file);
    checkFormat(format);
    const path = resolveInside(this.config.folder, file);
    try {
      await assertRegularFileOrAbsent(path, file);
      return { format, content: await readFile(path, 'utf8') };
    } catch (error) {
      throw fileNameError(error, file);
    }
  }

  /**
   * Hook `detection.completed`: with a webhook configured and at least
   * `notifyMinAnomalies` anomalies found, POSTs a notification about them.
   */
  @OnHook('detection.completed')
  async notifyAnomalies(detection: DetectionCompleted): Promise<{ notified: boolean }> {
    if (!this.config.webhookUrl || detection.anomalies.length < this.config.notifyMinAnomalies)
      return { notified: false };
    await this.sendNotification(
      `${detection.anomalies.length} anomalies in ${detection.rows} rows (${detection.algorithm})`,
      { ...detection },
    );
    return { notified: true };
  }

  /**
   * POSTs `{ message, ...options }` as JSON to `webhookUrl`.
   *
   * @throws Error when no webhook is configured, the call times out, or the webhook answers with a non-2xx status
   */
  async sendNotification(message: string, options: Record<string, unknown> = {}): Promise<void> {
    const url = this.config.webhookUrl;
    if (!url)
      throw new Error(
        'json-report has no webhookUrl configured (config "json-report".webhookUrl or env PLUGIN_JSON_REPORT_WEBHOOK_URL)',
      );
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message, ...options }),
      signal: AbortSignal.timeout(this.config.webhookTimeoutMs),
    });
    if (!response.ok) {
      const body = (await response.text()).slice(0, 200);
      throw new Error(`webhook ${url} answered ${response.status} ${response.statusText}${body ? `: ${body}` : ''}`);
    }
  }
}

function formatOf(file: string): string {
  return extname(file).slice(1).toLowerCase();
}

function checkFormat(format: string): asserts format is ReportFormat {
  if (!REPORT_FORMATS.includes(format as ReportFormat))
    throw new RangeError(`format "${format}" is not supported (use ${REPORT_FORMATS.join(' or ')})`);
}
