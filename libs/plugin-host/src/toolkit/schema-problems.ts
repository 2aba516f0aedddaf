import type { Type } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { classValidator } from './class-validator.js';
import { jsonShapeProblem } from './json-shape.js';

/** Which keys of the params `schemaProblems` checks. */
export interface SchemaProblemsOptions {
  /** The keys `values` may set. Default: every property the schema declares. */
  keys?: readonly string[];
  /** What one key is called in messages. Default `parameter`. */
  noun?: string;
}

/**
 * What is wrong with `values` under a class-validator schema: one message per
 * failing key, an empty list when they are acceptable. For a plugin whose call
 * parameters override its config (an algorithm's `fit` params), so that a
 * request is held to the same rules and caps (`@Max`, `@IsIn`, ...) as the
 * config: a value the config file could not set, a request cannot either. Keys
 * outside `keys` (and prototype keys such as `__proto__`) are unknown; keys not
 * given keep the schema's defaults and are not checked.
 *
 * @example
 * validateParameters(params: Record<string, unknown>): string[] {
 *   return schemaProblems(PyodConfig, params, { keys: ['method', 'contamination', 'nEstimators'] });
 * }
 */
export function schemaProblems(
  schema: Type<object>,
  values: unknown,
  { keys, noun = 'parameter' }: SchemaProblemsOptions = {},
): string[] {
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    return [
      `${noun}s must be an object of ${noun} names and values, got ${values === null ? 'null' : Array.isArray(values) ? 'an array' : typeof values}`,
    ];
  }
  const known = keys ?? declaredKeys(schema);
  const problems: string[] = [];
  const given: string[] = [];
  for (const key of Object.keys(values)) {
    if (known.includes(key)) given.push(key);
    else problems.push(`unknown ${noun} "${key}" (known: ${known.join(', ')})`);
  }
  // A deep value or one with prototype keys is never a valid parameter: say so before anything walks it.
  const checked = given.filter((key) => {
    const problem = jsonShapeProblem((values as Record<string, unknown>)[key]);
    if (problem) problems.push(`${key} ${problem}`);
    return !problem;
  });
  // The schema's defaults, with the given keys set as own data properties (never through a setter).
  const instance = new schema() as Record<string, unknown>;
  for (const key of checked)
    Object.defineProperty(instance, key, {
      value: (values as Record<string, unknown>)[key],
      enumerable: true,
      writable: true,
    });
  const errors = classValidator().validateSync(instance, { forbidUnknownValues: false });
  return [...problems, ...errors.filter((error) => checked.includes(error.property)).map(describe)];
}

function describe(error: ValidationError): string {
  return Object.values(error.constraints ?? {}).join(', ') || `${error.property} is invalid`;
}

function declaredKeys(schema: Type<object>): string[] {
  return [
    ...new Set(
      classValidator()
        .getMetadataStorage()
        .getTargetValidationMetadatas(schema, '', true, false)
        .map((meta) => meta.propertyName),
    ),
  ];
}
