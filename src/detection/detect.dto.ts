import { IsObject, IsOptional, IsString, MinLength, registerDecorator, type ValidationArguments } from 'class-validator';

/** At least 2 rows, all of the same non-zero width, of finite numbers. */
function IsNumberMatrix(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isNumberMatrix',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => matrixProblem(value) === undefined,
        defaultMessage: (args?: ValidationArguments) => `${args?.property ?? 'data'} ${matrixProblem(args?.value) ?? 'is invalid'}`,
      },
    });
}

function matrixProblem(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length < 2) return 'must be an array of at least 2 rows, e.g. [[1, 2], [3, 4]]';
  const width = Array.isArray(value[0]) ? value[0].length : 0;
  if (width === 0) return 'rows must be non-empty arrays of numbers';
  const bad = value.findIndex((row) => !Array.isArray(row) || row.length !== width || row.some((v) => typeof v !== 'number' || !Number.isFinite(v)));
  return bad === -1 ? undefined : `row ${bad} must be ${width} finite number${width === 1 ? '' : 's'}, like row 0`;
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
