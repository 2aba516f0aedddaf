import { afterAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { packageIntegrity } from './package-integrity.js';

describe('packageIntegrity', () => {
  const root = mkdtempSync(join(tmpdir(), 'integrity-'));
  const pkg = join(root, 'pkg');
  mkdirSync(join(pkg, 'dist'), { recursive: true });
  writeFileSync(join(pkg, 'package.json'), '{"name":"pinned-plugin","version":"1.0.0"}');
  writeFileSync(join(pkg, 'dist/index.js'), 'export const x = 1;\n');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is a stable sha512 digest of the files, ignoring node_modules and .git', () => {
    const digest = packageIntegrity(pkg);
    expect(digest).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
    mkdirSync(join(pkg, 'node_modules/dep'), { recursive: true });
    writeFileSync(join(pkg, 'node_modules/dep/index.js'), 'anything');
    mkdirSync(join(pkg, '.git'));
    writeFileSync(join(pkg, '.git/HEAD'), 'ref');
    expect(packageIntegrity(pkg)).toBe(digest);
  });

  it('changes when a file changes, is added, is renamed, or a symlink is retargeted', () => {
    const digest = packageIntegrity(pkg);
    writeFileSync(join(pkg, 'dist/index.js'), 'export const x = 2;\n');
    const edited = packageIntegrity(pkg);
    expect(edited).not.toBe(digest);
    writeFileSync(join(pkg, 'dist/extra.js'), '');
    expect(packageIntegrity(pkg)).not.toBe(edited);
    symlinkSync('extra.js', join(pkg, 'dist/link.js'));
    const linked = packageIntegrity(pkg);
    rmSync(join(pkg, 'dist/link.js'));
    symlinkSync('index.js', join(pkg, 'dist/link.js'));
    expect(packageIntegrity(pkg)).not.toBe(linked);
  });

  it('is what the nest-plugin-integrity command prints (built by npm test)', async () => {
    const cli = fileURLToPath(new URL('../../dist/trust/integrity-cli.js', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [cli, pkg]);
    expect(stdout.trim()).toBe(`"pinned-plugin": "${packageIntegrity(pkg)}"`);
  });
});
