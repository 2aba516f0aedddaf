import {
  BadRequestException,
  Injectable,
  ValidationPipe,
  type ArgumentMetadata,
  type PipeTransform,
} from '@nestjs/common';
import * as classTransformer from 'class-transformer';
import { MAX_JSON_DEPTH, jsonShapeProblem } from 'nestjs-plugin-host';

/**
 * What one request may ask of the demo (README: "Request limits"). They bound the work a single request
 * can cause: its body is parsed and validated on the event loop, and its detection holds a core of the
 * algorithm's own thread or process.
 */
export const REQUEST_LIMITS = {
  /** Largest JSON body, bytes: 100 000 rows of 3 full-precision numbers fit. Over it: 413. */
  bodyBytes: 8 * 1024 * 1024,
  /** Deepest nesting of arrays and objects in a body (a detection body needs 3 levels). Over it: 400. */
  depth: MAX_JSON_DEPTH,
  /** Most rows a detection takes, from `/detect`'s `data` or `/pipeline`'s CSV file. Over it: 400. */
  rows: 100_000,
  /** Most columns (values per row) a detection takes. Over it: 400. */
  columns: 1_000,
} as const;

/**
 * Refuses, with a 400 that says where, a body nested deeper than `REQUEST_LIMITS.depth` or holding a
 * prototype key (`__proto__`, `constructor`, `prototype`) anywhere. It runs before the ValidationPipe:
 * class-transformer and class-validator recurse into the body (a few thousand levels overflow the stack,
 * a 500), and the ValidationPipe would drop prototype keys silently.
 */
@Injectable()
export class BodyShapePipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const problem = metadata.type === 'body' ? jsonShapeProblem(value, REQUEST_LIMITS.depth) : undefined;
    if (problem) throw new BadRequestException(`the request body ${problem}`);
    return value;
  }
}

/** Arrays found to be matrices (a request's are checked by the three passes below). */
const matrices = new WeakSet<object>();

/** Dense rows of primitives: nothing in them for class-transformer to build, no key to strip, no gap to close. */
function isMatrix(value: unknown): value is unknown[][] {
  if (!Array.isArray(value) || value.length === 0) return false;
  if (matrices.has(value)) return true;
  for (let r = 0; r < value.length; r++) {
    const row: unknown = value[r];
    if (!Array.isArray(row)) return false; // a gap reads as undefined: a sparse array is not a matrix
    for (let c = 0; c < row.length; c++)
      if (row[c] === undefined || (row[c] !== null && typeof row[c] === 'object')) return false;
  }
  matrices.add(value);
  return true;
}

/** `body` without its top-level matrices (a shallow copy), or `body` itself when it has none. */
function withoutMatrices(body: unknown): { rest: unknown; taken: [string, unknown[][]][] } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { rest: body, taken: [] };
  const taken = Object.entries(body).filter((entry): entry is [string, unknown[][]] => isMatrix(entry[1]));
  if (taken.length === 0) return { rest: body, taken };
  const rest: Record<string, unknown> = { ...body };
  for (const [key] of taken) delete rest[key];
  return { rest, taken };
}

/**
 * The demo's ValidationPipe: unknown properties are refused, values checked, defaults applied. A matrix
 * at the top of a body (`/detect`'s `data`) is checked by its DTO rule (`@IsNumberMatrix`) but skipped by
 * the pipe's generic passes, which walk every cell: closing array gaps, stripping prototype keys and
 * class-transformer's copy cost about 300 ms for 100 000 rows, all in one task on the event loop, to
 * change nothing in a matrix (it has no gaps, no keys; BodyShapePipe has already refused prototype keys
 * anywhere in the body).
 */
export class RequestValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      transformerPackage: {
        plainToInstance(cls, plain, options) {
          const { rest, taken } = withoutMatrices(plain);
          const instance = classTransformer.plainToInstance(cls, rest, options);
          for (const [key, matrix] of taken) (instance as Record<string, unknown>)[key] = matrix;
          return instance;
        },
        classToPlain: (object, options) => classTransformer.instanceToPlain(object, options),
      },
    });
  }

  protected override closeArrayGaps(value: unknown): void {
    super.closeArrayGaps(withoutMatrices(value).rest);
  }

  protected override stripProtoKeys(value: unknown): void {
    super.stripProtoKeys(withoutMatrices(value).rest);
  }
}
