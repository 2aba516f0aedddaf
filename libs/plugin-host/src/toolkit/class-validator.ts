import { createRequire } from 'node:module';
import type * as ClassTransformer from 'class-transformer';
import type * as ClassValidator from 'class-validator';

// class-validator and class-transformer load on first use: together they take longer to load than the rest of the
// library (150–200 ms), and a host whose plugins declare no config schema never needs them. `require` is synchronous,
// for synchronous callers (`schemaProblems`); it returns the copy an `import` gets (a schema decorated with
// class-validator has loaded it already), and under Jest the one in Jest's registry.
const load = createRequire(import.meta.url);

export function classValidator(): typeof ClassValidator {
  return load('class-validator') as typeof ClassValidator;
}

export function classTransformer(): typeof ClassTransformer {
  return load('class-transformer') as typeof ClassTransformer;
}
