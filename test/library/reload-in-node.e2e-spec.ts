import { afterAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PackageTree } from './package-tree.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));

// Jest runs ESM through its own module system; this test runs a real Node process on the built
// library (npm test builds first), as a host runs in production.
describe('reload in plain Node', () => {
  // Inside the repository, so the plugin's own `import 'nestjs-plugin-host'` resolves as in a real host.
  const root = mkdtempSync(join(repo, '.tmp-reload-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('re-imports every file of the plugin edited in place, through the same reference', async () => {
    const tree = Object.assign(Object.create(PackageTree.prototype) as PackageTree, { root });
    tree.write('package.json', { name: 'reload-host', version: '1.0.0', type: 'module' });
    tree.package(
      'plugins/multi',
      {
        name: 'multi-file-plugin',
        nestPlugin: { name: 'multi', type: 'custom', entry: './index.js', compatibility: '^0.1.0' },
      },
      {
        'index.js': "export { Multi } from './multi.js';\n",
        'multi.js': `import { Plugin } from 'nestjs-plugin-host';
import { label } from './label.js';
export class Multi {
  describe() { return label; }
}
Plugin({ name: 'multi', type: 'custom', version: '1.0.0' })(Multi);
`,
        'label.js': "export const label = 'v1';\n",
      },
    );
    const { stdout } = await promisify(execFile)(process.execPath, [join(repo, 'test/library/reload-scenario.mjs')], {
      cwd: repo,
      env: { ...process.env, PLUGIN_ROOT: root, NODE_OPTIONS: '' },
      timeout: 30_000,
    });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { answers: string[] };
    expect(result.answers).toEqual(['v1', 'v2', 'v3']);
  }, 40_000);
});
