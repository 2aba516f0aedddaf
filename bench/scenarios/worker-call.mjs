// A call to a worker-tier plugin through its reference, against a raw MessagePort round trip to a worker
// that echoes. Both sequential (one call in flight). Target: ≤ 1.3x.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PluginModule, getPluginToken } from 'nestjs-plugin-host';
import { alternate, fmt } from '../measure.mjs';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const ECHO_WORKER = `const { parentPort } = require('node:worker_threads'); parentPort.on('message', (m) => parentPort.postMessage({ id: m.id, value: m.args[0] }));`;

export async function run({ quick }) {
  // Inside the repository, so the plugin's import of nestjs-plugin-host resolves in the worker.
  const root = mkdtempSync(join(REPO, '.tmp-bench-worker-'));
  mkdirSync(join(root, 'plugins/echo'), { recursive: true });
  writeFileSync(join(root, 'package.json'), '{"name":"bench-host","version":"1.0.0"}');
  writeFileSync(
    join(root, 'plugins/echo/package.json'),
    JSON.stringify({
      name: 'echo-plugin',
      version: '1.0.0',
      type: 'module',
      nestPlugin: { name: 'echo', type: 'custom', entry: './index.js', compatibility: '^0.1.0', isolation: 'worker' },
    }),
  );
  writeFileSync(
    join(root, 'plugins/echo/index.js'),
    `import { Plugin } from 'nestjs-plugin-host';\nexport class Echo { echo(value) { return value; } }\nPlugin({ name: 'echo', type: 'custom', version: '1.0.0' })(Echo);\n`,
  );
  class AppModule {}
  Module({ imports: [PluginModule.forRoot({ discovery: { root }, hostVersion: '0.1.0', env: {} })] })(AppModule);
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  const raw = new Worker(ECHO_WORKER, { eval: true });
  try {
    const echo = app.get(getPluginToken('echo'));
    const payload = { rows: [[1.5, 2.5, 3.5]], label: 'x' };
    const calls = quick ? 50 : 5000;
    let nextId = 0;
    const pending = new Map();
    raw.on('message', (m) => {
      pending.get(m.id)(m.value);
      pending.delete(m.id);
    });
    const rawCall = (value) =>
      new Promise((resolve) => {
        const id = ++nextId;
        pending.set(id, resolve);
        raw.postMessage({ id, args: [value] });
      });
    const time = (call) => async () => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < calls; i++) await call(payload);
      return Number(process.hrtime.bigint() - start) / calls / 1000; // µs per call
    };
    const result = await alternate(
      time((v) => echo.echo(v)),
      time(rawCall),
      { runs: quick ? 1 : 9, warmup: quick ? 0 : 2 },
    );
    return [
      {
        scenario: 'a call to a worker-tier plugin (sequential round trips)',
        candidate: `${fmt(result.candidate.median, 1)} µs/call (${fmt(result.candidate.min, 1)}–${fmt(result.candidate.max, 1)})`,
        baseline: `${fmt(result.baseline.median, 1)} µs/call (${fmt(result.baseline.min, 1)}–${fmt(result.baseline.max, 1)}) raw MessagePort`,
        ratio: `${fmt(result.ratio)}x`,
        target: '≤ 1.3x',
        met: quick ? undefined : result.ratio <= 1.3,
        evidence:
          'A call through the reference adds, over the raw round trip: the forwarder, counting the returned promise (for reloads), an id and a map entry to match the answer, and the deadline check (one sweeping timer per isolate, not a timer per call). Runs on this shared machine vary by ±15%.',
      },
    ];
  } finally {
    await raw.terminate();
    await app.close();
    rmSync(root, { recursive: true, force: true });
  }
}
