// 100 reloads of an in-process package plugin (its file edited in place each time) while autocannon drives
// an endpoint that calls it. Target: no failed request. Reports p99 latency during the reloads against the
// same load without reloads.
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import autocannon from 'autocannon';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InjectPlugin, PluginManager, PluginModule } from 'nestjs-plugin-host';
import { fmt } from '../measure.mjs';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const code = (version) =>
  `import { Plugin } from 'nestjs-plugin-host';\nexport class Worky { async work(n) { await new Promise((r) => setTimeout(r, 1)); return { version: ${version}, n }; } }\nPlugin({ name: 'worky', type: 'custom', version: '1.0.0' })(Worky);\n`;

class WorkController {
  constructor(worky) {
    this.worky = worky;
  }
  work() {
    return this.worky.work(1);
  }
}
InjectPlugin('worky')(WorkController, undefined, 0);
Controller()(WorkController);
Get('work')(WorkController.prototype, 'work', Object.getOwnPropertyDescriptor(WorkController.prototype, 'work'));

export async function run({ quick }) {
  const root = mkdtempSync(join(REPO, '.tmp-bench-reload-'));
  mkdirSync(join(root, 'plugins/worky'), { recursive: true });
  writeFileSync(join(root, 'package.json'), '{"name":"bench-host","version":"1.0.0"}');
  writeFileSync(
    join(root, 'plugins/worky/package.json'),
    JSON.stringify({
      name: 'worky-plugin',
      version: '1.0.0',
      type: 'module',
      nestPlugin: { name: 'worky', type: 'custom', entry: './index.js', compatibility: '^0.1.0' },
    }),
  );
  writeFileSync(join(root, 'plugins/worky/index.js'), code(0));
  class AppModule {}
  Module({
    imports: [PluginModule.forRoot({ discovery: { root }, hostVersion: '0.1.0', env: {} })],
    controllers: [WorkController],
  })(AppModule);
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${app.getHttpServer().address().port}/work`;
  const reloads = quick ? 5 : 100;
  try {
    const quiet = await autocannon({ url, connections: 10, duration: quick ? 0.5 : 3 });
    const plugins = app.get(PluginManager);
    let done = 0;
    const load = autocannon({ url, connections: 10, duration: 120 });
    const reloading = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (let i = 1; i <= reloads; i++) {
        writeFileSync(join(root, 'plugins/worky/index.js'), code(i));
        await plugins.reload('worky');
        done++;
      }
      load.stop();
    })();
    const busy = await load;
    await reloading;
    const failed = busy.non2xx + busy.errors + busy.timeouts;
    const last = await (await fetch(url)).json();
    if (last.version !== reloads)
      throw new Error(`after ${reloads} reloads the plugin answers version ${last.version}`);
    return [
      {
        scenario: `${done} reloads under load (autocannon, 10 connections, ${busy.requests.total} requests)`,
        candidate: `${failed} failed; p99 ${busy.latency.p99} ms, p50 ${busy.latency.p50} ms`,
        baseline: `p99 ${quiet.latency.p99} ms, p50 ${quiet.latency.p50} ms without reloads`,
        ratio: `p99 ${fmt(busy.latency.p99 / Math.max(quiet.latency.p99, 1))}x`,
        target: '0 failed requests',
        met: failed === 0,
      },
    ];
  } finally {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  }
}
