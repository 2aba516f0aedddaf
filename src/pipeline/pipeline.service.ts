import { BadRequestException, Injectable } from '@nestjs/common';
import type { CsvPlugin } from '@nestjs-plugin-host/csv';
import type { JsonReportPlugin } from '@nestjs-plugin-host/json-report';
import type { StandardScalerPlugin } from '@nestjs-plugin-host/standard-scaler';
import { InjectPlugin } from 'nestjs-plugin-host';
import { DetectionService } from '../detection/detection.service.js';
import { withRequestInput } from '../plugins/plugin-input.js';
import { REQUEST_LIMITS } from '../request-limits.js';
import type { PipelineRequest, PipelineResponse } from './pipeline.dto.js';

/** Read a CSV (csv) → check and scale (standard-scaler) → detect (an algorithm) → write a report (json-report). */
@Injectable()
export class PipelineService {
  constructor(
    @InjectPlugin('csv') private readonly csv: CsvPlugin,
    @InjectPlugin('standard-scaler') private readonly scaler: StandardScalerPlugin,
    @InjectPlugin('json-report') private readonly report: JsonReportPlugin,
    private readonly detection: DetectionService,
  ) {}

  async run(request: PipelineRequest): Promise<PipelineResponse> {
    const { source, algorithm, params, scale, report } = request;
    // Column names are the file's: a Map, so "toString" or "__proto__" is only a column when the file has one.
    const schema = new Map(Object.entries(await withRequestInput(() => this.csv.getSchema(source))));
    const all = [...schema.keys()];
    const columns = request.columns ?? all.filter((column) => schema.get(column) === 'number');
    if (columns.length === 0)
      throw new BadRequestException(`"${source}" has no numeric column (columns: ${all.join(', ')})`);
    const missing = columns.filter((column) => !schema.has(column));
    if (missing.length > 0)
      throw new BadRequestException(`"${source}" has no column ${missing.join(', ')} (columns: ${all.join(', ')})`);
    if (columns.length > REQUEST_LIMITS.columns) {
      throw new BadRequestException(
        `"${source}": ${columns.length} columns; a detection takes at most ${REQUEST_LIMITS.columns}`,
      );
    }
    // One row past the limit is enough to know the file is over it.
    const rows = await withRequestInput(() =>
      this.csv.readData({ file: source, columns: all, limit: REQUEST_LIMITS.rows + 1 }),
    );
    if (rows.length > REQUEST_LIMITS.rows) {
      throw new BadRequestException(
        `"${source}" has more than ${REQUEST_LIMITS.rows} rows; a detection takes at most ${REQUEST_LIMITS.rows}`,
      );
    }

    const matrix = rows.map((row) => columns.map((column) => row[column] as number));
    const problems = this.scaler.validate(matrix);
    if (problems.length > 0)
      throw new BadRequestException(problems.map((problem) => `${source} (columns ${columns.join(', ')}): ${problem}`));
    const data = scale ? this.scaler.preprocess(matrix) : matrix;

    const result = await this.detection.detect({ algorithm, data, params });
    const file = await withRequestInput(() =>
      this.report.exportData(
        rows.map((row, i) => ({ row: i, ...row, score: result.scores[i], label: result.labels[i] })),
        report.format,
        report.file,
      ),
    );
    return {
      source,
      columns,
      algorithm,
      rows: rows.length,
      threshold: result.threshold,
      anomalies: result.anomalies,
      report: file,
    };
  }
}
