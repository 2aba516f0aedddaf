import { matrixProblems } from '@nestjs-plugin-host/anomaly-contracts';
import {
  IsObject,
  IsOptional,
  IsString,
  MinLength,
  registerDecorator,
  type ValidationArguments,
} from 'class-validator';
import { REQUEST_LIMITS } from '../request-limits.js';

const MATRIX_RULES = { minRows: 2, maxRows: REQUEST_LIMITS.rows, maxColumns: REQUEST_LIMITS.columns };

/** 2 to `REQUEST_LIMITS.rows` rows, all of the same non-zero width (at most `REQUEST_LIMITS.columns`), of finite numbers. */
function IsNumberMatrix(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isNumberMatrix',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => matrixProblems(value, MATRIX_RULES).length === 0,
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property ?? 'data'}: ${matrixProblems(args?.value, MATRIX_RULES).join('; ')}`,
      },
    });
}

export class DetectRequest {
  /** The name of an enabled algorithm plugin, e.g. "pyod". */
  @IsString()
  @MinLength(1)
  algorithm!: string;

  /** One row per sample, one column per feature. */
  @IsNumberMatrix()
  data!: number[][];

  /** Passed to the algorithm's fit, e.g. { "method": "ecod", "contamination": 0.05 }. */
  @IsOptional()
  @IsObject()
  params?: Record<string, unknown>;
}

export interface DetectResponse {
  algorithm: string;
  scores: number[];
  labels: (0 | 1)[];
  threshold: number;
  /** Indices of the rows labelled 1. */
  anomalies: number[];
}
