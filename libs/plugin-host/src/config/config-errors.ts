import type { ValidationError } from 'class-validator';
import { PluginError, PluginErrorCode } from '../errors/index.js';

type PlainObject = Record<string, unknown>;

const isObject = (value: unknown): value is PlainObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export interface FailingProperty {
  path: string;
  constraints: Record<string, string>;
}

export function flatten(errors: ValidationError[], prefix = ''): FailingProperty[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = error.constraints ? [{ path, constraints: error.constraints }] : [];
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

function valueAt(merged: PlainObject, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (value, key) => (isObject(value) || Array.isArray(value) ? (value as PlainObject)[key] : undefined),
      merged,
    );
}

function sourceOf(path: string, sources: Map<string, string>): string {
  for (let p = path; p !== ''; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
    const source = sources.get(p);
    if (source) return source;
  }
  return 'defaults';
}

export function invalidConfig(
  plugin: string,
  failing: FailingProperty[],
  merged: PlainObject,
  sources: Map<string, string>,
): PluginError {
  const lines = failing.map(({ path, constraints }) => {
    const unknown = 'whitelistValidation' in constraints;
    const what = unknown
      ? 'unknown key (not in the config schema)'
      : Object.entries(constraints)
          .map(([name, message]) => `${message} [${name}]`)
          .join(', ');
    return `${path} = ${JSON.stringify(valueAt(merged, path))} from ${sourceOf(path, sources)}: ${what}`;
  });
  return new PluginError(
    PluginErrorCode.CONFIG_INVALID,
    `plugin "${plugin}" has invalid config: ${lines.join('; ')}. Fix these values at their source, or remove unknown keys.`,
    {
      plugin,
      phase: 'configure',
      details: {
        properties: failing.map(({ path, constraints }) => ({ path, constraints, source: sourceOf(path, sources) })),
      },
    },
  );
}
