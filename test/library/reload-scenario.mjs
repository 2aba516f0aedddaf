// Run by reload-in-node.e2e-spec.ts in plain Node (no Jest module system): boots a host on the
// plugin folder given in PLUGIN_ROOT, edits the plugin's files in place, reloads, and prints what
// the same injected reference answered each time, as one JSON line.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PluginManager, PluginModule, getPluginToken } from 'nestjs-plugin-host';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.env.PLUGIN_ROOT;
const plugin = join(root, 'plugins', 'multi');
const label = (value) => writeFileSync(join(plugin, 'label.js'), `export const label = ${JSON.stringify(value)};\n`);

class AppModule {}
Module({ imports: [PluginModule.forRoot({ discovery: { root }, hostVersion: '0.1.0' })] })(AppModule);

const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
const reference = app.get(getPluginToken('multi'));
const plugins = app.get(PluginManager);
const answers = [reference.describe()];
label('v2');
await plugins.reload('multi');
answers.push(reference.describe());
label('v3');
await plugins.reload('multi');
answers.push(reference.describe());
await app.close();
console.log(JSON.stringify({ answers }));
