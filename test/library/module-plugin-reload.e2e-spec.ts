import { afterAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PackageTree, REPO } from './package-tree.js';

// A reload imports the edited package again, which Jest's module system does not do as Node does: this runs a real
// Node process on the built library (npm test builds first), serving HTTP as a host does in production.
describe('reloading a module plugin package over HTTP, in plain Node', () => {
  const tree = new PackageTree(REPO);
  afterAll(() => tree.remove());

  it('serves the edited controller through the same URL, and 100 reloads under concurrent requests fail none', async () => {
    tree.write('package.json', { name: 'route-reload-host', version: '1.0.0', type: 'module' });
    tree.package(
      'plugins/editable',
      {
        name: 'editable-plugin',
        nestPlugin: { name: 'editable', type: 'custom', entry: './index.js', compatibility: '^0.1.0' },
      },
      {
        'index.js': `import { Controller, Get, Injectable, Inject } from '@nestjs/common';
import { Plugin } from 'nestjs-plugin-host';
import { label } from './label.js';

export class Labels {
  current() { return label; }
}
Injectable()(Labels);

export class VersionController {
  constructor(labels) { this.labels = labels; }
  version() { return this.labels.current(); }
}
Inject(Labels)(VersionController, undefined, 0);
Get('version')(VersionController.prototype, 'version', Object.getOwnPropertyDescriptor(VersionController.prototype, 'version'));
Controller()(VersionController);

export class EditablePlugin {}
Plugin({ name: 'editable', type: 'custom', version: '1.0.0', controllers: [VersionController], providers: [Labels] })(EditablePlugin);
`,
        'label.js': "export const label = 'v1';\n",
      },
    );
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(REPO, 'test/library/route-reload-scenario.mjs')],
      {
        cwd: REPO,
        env: { ...process.env, PLUGIN_ROOT: tree.root, NODE_OPTIONS: '' },
        timeout: 90_000,
      },
    );
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      answers: string[];
      requests: number;
      statuses: Record<string, number>;
    };
    expect(result.answers).toEqual(['v1', 'v2', 'load-99']);
    expect(result.requests).toBeGreaterThan(100);
    expect(result.statuses).toEqual({ 200: result.requests }); // not one request failed
  }, 100_000);
});
