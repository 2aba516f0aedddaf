// One measurement in a fresh process (run by import-cost.mjs); prints a JSON line.
//   import <specifier>: ms to import() it, once reflect-metadata, @nestjs/common and @nestjs/core are loaded
//   require <specifier>: the same with require() (a CommonJS host; Nest 12 is ESM-only, which Node ≥ 20.19 can require)
//   boot with|without: ms from this module's start to app.listen() of a Nest app with Terminus, its imports included,
//     with one plugin through PluginModule.forRoot({ plugins: [OnePlugin] }), or the same class as a plain provider
import { createRequire } from 'node:module';

const start = performance.now();
const [mode, arg] = process.argv.slice(2);

if (mode === 'import' || mode === 'require') {
  const load = mode === 'import' ? (specifier) => import(specifier) : createRequire(import.meta.url);
  await load('reflect-metadata');
  await load('@nestjs/common');
  await load('@nestjs/core');
  const before = performance.now();
  await load(arg);
  console.log(JSON.stringify({ ms: performance.now() - before }));
} else if (mode === 'boot') {
  const withLibrary = arg === 'with';
  await import('reflect-metadata');
  const { Controller, Get, Injectable, Module } = await import('@nestjs/common');
  const { NestFactory } = await import('@nestjs/core');
  const { HealthCheck, HealthCheckService, TerminusModule } = await import('@nestjs/terminus');
  const host = withLibrary ? await import('nestjs-plugin-host') : undefined;

  class OnePlugin {
    initialize() {
      this.ready = true;
    }
    healthCheck() {
      return { status: 'up' };
    }
  }
  if (host) host.Plugin({ name: 'one', type: 'custom', version: '1.0.0', compatibility: '^0.1.0' })(OnePlugin);
  else Injectable()(OnePlugin);

  class HealthController {
    constructor(health, plugins) {
      Object.assign(this, { health, plugins });
    }
    check() {
      return this.health.check(this.plugins ? [() => this.plugins.check()] : []);
    }
  }
  Reflect.defineMetadata(
    'design:paramtypes',
    host ? [HealthCheckService, host.PluginHealthIndicator] : [HealthCheckService],
    HealthController,
  );
  Controller()(HealthController);
  const check = Object.getOwnPropertyDescriptor(HealthController.prototype, 'check');
  Get('health')(HealthController.prototype, 'check', check);
  HealthCheck()(HealthController.prototype, 'check', check);

  class AppModule {}
  Module({
    imports: [
      TerminusModule.forRoot({ logger: false }),
      ...(host ? [host.PluginModule.forRoot({ plugins: [OnePlugin] })] : []),
    ],
    providers: host ? [] : [OnePlugin],
    controllers: [HealthController],
  })(AppModule);

  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const ms = performance.now() - start;
  // Not timed: the app answers, and with the library its plugin is up.
  const body = await (await fetch(`http://127.0.0.1:${app.getHttpServer().address().port}/health`)).json();
  await app.close();
  if (body.status !== 'ok' || (host && body.info?.plugins?.one?.status !== 'up'))
    throw new Error(`unexpected /health: ${JSON.stringify(body)}`);
  console.log(JSON.stringify({ ms }));
} else {
  throw new Error(`unknown mode ${mode}`);
}
