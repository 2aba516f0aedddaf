#!/usr/bin/env node
// Prints the trust.integrity digest of plugin package folders: nest-plugin-integrity <folder>...
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packageIntegrity } from './package-integrity.js';

const folders = process.argv.slice(2);
if (folders.length === 0) {
  console.error(
    'usage: nest-plugin-integrity <package folder>...  (prints "<package name>": "sha512-..." for trust.integrity)',
  );
  process.exit(2);
}
for (const folder of folders) {
  const dir = resolve(folder);
  let name = dir;
  try {
    name = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name ?? dir;
  } catch {
    // no package.json: print the folder
  }
  console.log(`${JSON.stringify(name)}: ${JSON.stringify(packageIntegrity(dir))}`);
}
