// How much memory each reload keeps. ESM modules cannot be unloaded, so every
// reload leaves the previous copy of the plugin's own modules behind.
// Run: npm run build && node --expose-gc bench/reload-memory.mjs [reloads]
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PluginManager, PluginModule } from 'nestjs-plugin-host';
import { fileURLToPath } from 'node:url';

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const reloads = Number(process.argv[2] ?? 200);
const root = fileURLToPath(new URL('..', import.meta.url));

class AppModule {}
Module({ imports: [PluginModule.forRoot({ discovery: { root, include: ['pyod'] }, hostVersion: '0.1.0' })] })(
  AppModule,
);
const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
const plugins = app.get(PluginManager);

const settle = async () => {
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
};
const measure = async (label, times, operation) => {
  const before = await settle();
  const started = performance.now();
  for (let i = 0; i < times; i++) await operation(i);
  const ms = (performance.now() - started) / times;
  const after = await settle();
  const kb = (bytes) => Math.round(bytes / 1024 / times);
  console.log(
    `${label.padEnd(44)} heap +${kb(after.heapUsed - before.heapUsed)} KB, rss +${kb(after.rss - before.rss)} KB per operation; ${ms.toFixed(2)} ms each`,
  );
};

await measure('warm-up reloads (not counted)', 20, () => plugins.reload('pyod'));
await measure(`reload (re-import ${reloads}×, pyod: 9 modules)`, reloads, () => plugins.reload('pyod'));
await measure(`updateConfig (new instance, no import, ${reloads}×)`, reloads, (i) =>
  plugins.updateConfig('pyod', { randomState: i }),
);
console.log(`node ${process.version}`);
await app.close();
