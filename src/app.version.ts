import { readFileSync } from 'node:fs';

/** The demo host's version (root package.json), checked against plugins' compatibility ranges. */
export const APP_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
