import { describeValue } from '../errors/index.js';
import { semver } from './semver.js';

/** One `"name@range"` requirement, parsed. */
export interface NpmRequirement {
  /** As written, e.g. `onnxruntime-node@>=1.16`. */
  spec: string;
  name: string;
  /** `*` when the spec names no range. */
  range: string;
}

const PACKAGE_NAME = /^(@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*$/i;

/** Parses `"name@range"`, `"@scope/name@range"` or a bare name; a string says what is wrong. */
export function parseRequirement(spec: unknown): NpmRequirement | string {
  if (typeof spec !== 'string' || spec.trim() === '')
    return `${describeValue(spec)} must be a string such as "onnxruntime-node@>=1.16"`;
  const at = spec.indexOf('@', spec.startsWith('@') ? 1 : 0);
  const name = at === -1 ? spec : spec.slice(0, at);
  const range = at === -1 ? '*' : spec.slice(at + 1).trim();
  if (!PACKAGE_NAME.test(name)) return `"${spec}" does not start with an npm package name`;
  if (semver().validRange(range) === null)
    return `"${spec}" has no valid semver range after "@" (e.g. "${name}@^1.0.0")`;
  return { spec, name, range };
}
