// Bootstrap N plugins (trivial initialize) vs the same N classes as plain Nest providers with the same
// per-name and per-type tokens. Target: the plugin module adds ≤ 50 µs per plugin at N = 1000.
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Plugin, PluginModule, getPluginToken, getPluginTypeToken } from 'nestjs-plugin-host';
import { alternate, fmt, msSince } from '../measure.mjs';

const TYPES = ['algorithm', 'data-source', 'output', 'processing'];

function makeClasses(n) {
  return Array.from({ length: n }, (_, i) => {
    const PluginClass = new Function(
      `return class Bench${i} { initialize() { this.ready = true; } onModuleInit() { this.initialize(); } work(x) { return x + ${i}; } }`,
    )();
    Injectable()(PluginClass);
    Plugin({ name: `bench-${i}`, type: TYPES[i % TYPES.length], version: '1.0.0', compatibility: '^0.1.0' })(
      PluginClass,
    );
    return PluginClass;
  });
}

async function bootPlugins(classes) {
  class AppModule {}
  Module({ imports: [PluginModule.forRoot({ plugins: classes, hostVersion: '0.1.0', env: {}, guardProcess: false })] })(
    AppModule,
  );
  const start = process.hrtime.bigint();
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  const ms = msSince(start);
  await app.close();
  return ms;
}

async function bootProviders(classes) {
  const nameTokens = classes.map((cls, i) => ({ provide: getPluginToken(`bench-${i}`), useExisting: cls }));
  const typeTokens = TYPES.map((type, t) => {
    const members = classes.filter((_, i) => i % TYPES.length === t);
    return { provide: getPluginTypeToken(type), useFactory: (...instances) => instances, inject: members };
  });
  class AppModule {}
  Module({ providers: [...classes, ...nameTokens, ...typeTokens] })(AppModule);
  const start = process.hrtime.bigint();
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  const ms = msSince(start);
  await app.close();
  return ms;
}

export async function run({ quick }) {
  const rows = [];
  for (const n of quick ? [20] : [100, 1000]) {
    const classes = makeClasses(n);
    const result = await alternate(
      () => bootPlugins(classes),
      () => bootProviders(classes),
      { runs: quick ? 1 : n >= 1000 ? 7 : 9, warmup: quick ? 0 : 1 },
    );
    const perPluginUs = ((result.candidate.median - result.baseline.median) / n) * 1000;
    rows.push({
      scenario: `bootstrap, N = ${n}`,
      candidate: `${fmt(result.candidate.median, 1)} ms (${fmt(result.candidate.min, 1)}–${fmt(result.candidate.max, 1)})`,
      baseline: `${fmt(result.baseline.median, 1)} ms (${fmt(result.baseline.min, 1)}–${fmt(result.baseline.max, 1)})`,
      ratio: `${fmt(result.ratio)}x; ${fmt(perPluginUs, 1)} µs per plugin over the baseline`,
      target: n >= 1000 ? '≤ 50 µs per plugin' : 'context',
      met: n >= 1000 ? perPluginUs <= 50 : undefined,
    });
  }
  return rows;
}
