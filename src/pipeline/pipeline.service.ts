import { BadRequestException, Injectable } from '@nestjs/common';
import type { CsvPlugin } from '@nestjs-plugin-host/csv';
import type { JsonReportPlugin } from '@nestjs-plugin-host/json-report';
import type { StandardScalerPlugin } from '@nestjs-plugin-host/standard-scaler';
import { InjectPlugin } from 'nestjs-plugin-host';
import { DetectionService } from '../detection/detection.service.js';
import { withRequestInput } from '../plugins/plugin-input.js';
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
    const schema = await withRequestInput(() => this.csv.getSchema(source));
    const columns = request.columns ?? Object.keys(schema).filter((column) => schema[column] === 'number');
    if (columns.length === 0) throw new BadRequestException(`"${source}" has no numeric column (columns: ${Object.keys(schema).join(', ')})`);
    const rows = await withRequestInput(() => this.csv.readData({ file: source, columns: Object.keys(schema) }));
    const missing = columns.filter((column) => !(column in schema));
    if (missing.length > 0) throw new BadRequestException(`"${source}" has no column ${missing.join(', ')} (columns: ${Object.keys(schema).join(', ')})`);

    const matrix = rows.map((row) => columns.map((column) => row[column] as number));
    const problems = this.scaler.validate(matrix);
    if (problems.length > 0) throw new BadRequestException(problems.map((problem) => `${source} (columns ${columns.join(', ')}): ${problem}`));
    const data = scale ? this.scaler.preprocess(matrix) : matrix;

    const result = await this.detection.detect({ algorithm, data, params });
    const file = await withRequestInput(() =>
      this.report.exportData(
        rows.map((row, i) => ({ row: i, ...row, score: result.scores[i], label: result.labels[i] })),
        report.format,
        report.file,
      ),
    );
    return { source, columns, algorithm, rows: rows.length, threshold: result.threshold, anomalies: result.anomalies, report: file };
  }
}
