// Run by module-plugin-reload.e2e-spec.ts in plain Node (no Jest module system): boots an HTTP host on the module
// plugin package in PLUGIN_ROOT, edits the package's files in place and reloads it, first one by one (the same URL
// answers the new code), then 100 times while clients keep requesting; prints what it saw as one JSON line.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PluginManager, PluginModule } from 'nestjs-plugin-host';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.env.PLUGIN_ROOT;
const plugin = join(root, 'plugins', 'editable');
const label = (value) => writeFileSync(join(plugin, 'label.js'), `export const label = ${JSON.stringify(value)};\n`);

class AppModule {}
Module({ imports: [PluginModule.forRoot({ discovery: { root }, hostVersion: '0.1.0' })] })(AppModule);

const app = await NestFactory.create(AppModule, { logger: false });
await app.listen(0, '127.0.0.1');
const url = `${await app.getUrl()}/plugins/editable/version`;
const plugins = app.get(PluginManager);
const get = async () => {
  const response = await fetch(url);
  return { status: response.status, body: await response.text() };
};

const answers = [(await get()).body];
label('v2');
await plugins.reload('editable');
answers.push((await get()).body);

// 100 reloads under load: every request must succeed, on the old code or the new.
let loading = true;
const statuses = {};
let requests = 0;
const client = async () => {
  while (loading) {
    const { status } = await get();
    requests++;
    statuses[status] = (statuses[status] ?? 0) + 1;
  }
};
const clients = Array.from({ length: 8 }, client);
for (let i = 0; i < 100; i++) {
  label(`load-${i}`);
  await plugins.reload('editable');
}
loading = false;
await Promise.all(clients);
answers.push((await get()).body);
await app.close();
console.log(JSON.stringify({ answers, requests, statuses }));
