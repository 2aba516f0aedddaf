// A module plugin's route against the same controller registered in the host (in-process), and a process-tier
// plugin's route against the in-process plugin route, under autocannon on loopback (in its own process).
// Target: the in-process plugin route ≥ 0.9x the host's own; the process tier is reported.
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Plugin, PluginModule } from 'nestjs-plugin-host';
import { alternate, fmt, requestRate } from '../measure.mjs';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

// The same handler in each place: a small JSON answer built per request.
const HANDLER = `value(id) { return { id, at: 'value', items: [1, 2, 3] }; }`;

/** A controller at `path` whose GET /value is HANDLER. */
function valueController(path) {
  const C = new Function(`return class ValueController { ${HANDLER} }`)();
  Controller(path)(C);
  Get('value')(C.prototype, 'value', Object.getOwnPropertyDescriptor(C.prototype, 'value'));
  return C;
}

export async function run({ quick }) {
  // A process-tier package with the same controller, inside the repository so its imports resolve there.
  const root = mkdtempSync(join(REPO, '.tmp-bench-route-'));
  mkdirSync(join(root, 'plugins/sandboxed'), { recursive: true });
  writeFileSync(join(root, 'package.json'), '{"name":"bench-host","version":"1.0.0"}');
  const manifest = { name: 'sandboxed', type: 'custom', entry: './index.js', compatibility: '^0.1.0' };
  writeFileSync(
    join(root, 'plugins/sandboxed/package.json'),
    JSON.stringify({
      name: 'sandboxed-plugin',
      version: '1.0.0',
      type: 'module',
      nestPlugin: { ...manifest, isolation: 'process', routePrefix: 'sandboxed' },
    }),
  );
  writeFileSync(
    join(root, 'plugins/sandboxed/index.js'),
    `import { Controller, Get } from '@nestjs/common';
import { Plugin } from 'nestjs-plugin-host';
export class ValueController { ${HANDLER} }
Controller()(ValueController);
Get('value')(ValueController.prototype, 'value', Object.getOwnPropertyDescriptor(ValueController.prototype, 'value'));
export class Sandboxed {}
Plugin({ name: 'sandboxed', type: 'custom', version: '1.0.0', controllers: [ValueController] })(Sandboxed);
`,
  );
  class Routed {}
  Plugin({
    name: 'routed',
    type: 'custom',
    version: '1.0.0',
    controllers: [valueController('')],
    routePrefix: 'routed',
  })(Routed);
  class AppModule {}
  Module({
    imports: [PluginModule.forRoot({ plugins: [Routed], discovery: { root }, hostVersion: '0.1.0', env: {} })],
    controllers: [valueController('direct')],
  })(AppModule);
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${app.getHttpServer().address().port}`;
  const duration = quick ? 0.5 : 3;
  const load = requestRate(base, duration);
  try {
    const runs = quick ? 1 : 5;
    const inProcess = await alternate(load('/routed/value'), load('/direct/value'), { runs, warmup: quick ? 0 : 1 });
    const isolated = await alternate(load('/sandboxed/value'), load('/routed/value'), {
      runs: quick ? 1 : 3,
      warmup: 0,
    });
    const rate = (stats) => `${fmt(-stats.median, 0)} req/s (${fmt(-stats.max, 0)}–${fmt(-stats.min, 0)})`;
    const ratio = inProcess.candidate.median / inProcess.baseline.median;
    return [
      {
        scenario: 'a module plugin route (in-process) vs the same controller in the host',
        candidate: rate(inProcess.candidate),
        baseline: `${rate(inProcess.baseline)} host controller`,
        ratio: `${fmt(ratio)}x throughput`,
        target: '≥ 0.9x',
        met: quick ? undefined : ratio >= 0.9,
      },
      {
        scenario: 'a process-tier plugin route vs the in-process plugin route',
        candidate: rate(isolated.candidate),
        baseline: `${rate(isolated.baseline)} in-process plugin route`,
        ratio: `${fmt(isolated.candidate.median / isolated.baseline.median)}x throughput`,
        target: 'report',
      },
    ];
  } finally {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  }
}
