// One measurement in a fresh process (run by memory.mjs): prints RSS and heap, in bytes, after GC.
//   plugins N | providers N: a context with N plugins / N plain providers
//   reloads N: pyod reloaded N times (RSS before and after)
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { fileURLToPath } from 'node:url';
import { Plugin, PluginManager, PluginModule, getPluginToken } from 'nestjs-plugin-host';
import { settleMemory } from '../measure.mjs';

const [mode, count] = [process.argv[2], Number(process.argv[3])];
const classes = Array.from({ length: mode === 'reloads' ? 0 : count }, (_, i) => {
  const C = new Function(`return class Mem${i} { initialize() { this.ready = true; } work(x) { return x + ${i}; } }`)();
  Injectable()(C);
  Plugin({ name: `mem-${i}`, type: 'custom', version: '1.0.0', compatibility: '^0.1.0' })(C);
  return C;
});

class AppModule {}
if (mode === 'plugins')
  Module({ imports: [PluginModule.forRoot({ plugins: classes, hostVersion: '0.1.0', env: {}, guardProcess: false })] })(
    AppModule,
  );
else if (mode === 'providers')
  Module({
    providers: [...classes, ...classes.map((C, i) => ({ provide: getPluginToken(`mem-${i}`), useExisting: C }))],
  })(AppModule);
else
  Module({
    imports: [
      PluginModule.forRoot({
        discovery: { root: fileURLToPath(new URL('../..', import.meta.url)), include: ['pyod'] },
        hostVersion: '0.1.0',
        env: {},
      }),
    ],
  })(AppModule);

const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
await settleMemory();
const before = process.memoryUsage();
if (mode === 'reloads') {
  const plugins = app.get(PluginManager);
  for (let i = 0; i < 10; i++) await plugins.reload('pyod'); // warm-up, not counted
  await settleMemory();
  const warm = process.memoryUsage();
  for (let i = 0; i < count; i++) await plugins.reload('pyod');
  await settleMemory();
  const after = process.memoryUsage();
  console.log(JSON.stringify({ rss: after.rss - warm.rss, heap: after.heapUsed - warm.heapUsed }));
} else {
  console.log(JSON.stringify({ rss: before.rss, heap: before.heapUsed }));
}
await app.close();
