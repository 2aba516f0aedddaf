import { readFileSync } from 'node:fs';

/**
 * The library's own version, the default `hostVersion`. Read once from the
 * package.json beside `src/` and `dist/` (both one level down).
 */
export const LIBRARY_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
