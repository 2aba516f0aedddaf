import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  MinLength,
  ValidateNested,
} from 'class-validator';

export class ReportRequest {
  /** The report file's format. */
  @IsIn(['json', 'csv'])
  format: 'json' | 'csv' = 'json';

  /** The file name inside the json-report folder; default: a timestamped name. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  file?: string;
}

export class PipelineRequest {
  /** A CSV file inside the csv plugin's folder (default `./data`), e.g. "sensors.csv". */
  @IsString()
  @MinLength(1)
  source!: string;

  /** The numeric columns to detect on; default: every column the csv plugin infers as a number. */
  @IsOptional()
  @IsString({ each: true })
  @ArrayMinSize(1)
  columns?: string[];

  /** An enabled algorithm plugin. */
  @IsOptional()
  @IsString()
  algorithm: string = 'pyod';

  /** Passed to the algorithm's fit. */
  @IsOptional()
  @IsObject()
  params?: Record<string, unknown>;

  /** Standardize the columns with standard-scaler first. */
  @IsOptional()
  @IsBoolean()
  scale: boolean = true;

  @IsOptional()
  @ValidateNested()
  @Type(() => ReportRequest)
  report: ReportRequest = new ReportRequest();
}

export interface PipelineResponse {
  source: string;
  columns: string[];
  algorithm: string;
  rows: number;
  threshold: number;
  /** Indices (0-based data rows) of the rows labelled anomalous. */
  anomalies: number[];
  /** The report file written by json-report. */
  report: string;
}
