// A throw-away ES-module Nest app using the packed library (run by .ci/compat): one plugin, Terminus
// health; exits 0 when GET /health reports the plugin up.
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Plugin, PluginHealthIndicator, PluginModule, InjectPlugin } from 'nestjs-plugin-host';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);

class HelloPlugin {
  greet(who) {
    return `hello ${who}`;
  }
  healthCheck() {
    return { status: 'up' };
  }
}
Plugin({ name: 'hello', type: 'greeting', version: '1.0.0', compatibility: '^0.1.0' })(HelloPlugin);

class HealthController {
  constructor(health, plugins, hello) {
    Object.assign(this, { health, plugins, hello });
  }
  check() {
    return this.health.check([() => this.plugins.check()]);
  }
  greet() {
    return { text: this.hello.greet('nest') };
  }
}
Reflect.defineMetadata('design:paramtypes', [HealthCheckService, PluginHealthIndicator, Object], HealthController);
InjectPlugin('hello')(HealthController, undefined, 2);
Controller()(HealthController);
Get('health')(HealthController.prototype, 'check', Object.getOwnPropertyDescriptor(HealthController.prototype, 'check'));
HealthCheck()(HealthController.prototype, 'check', Object.getOwnPropertyDescriptor(HealthController.prototype, 'check'));
Get('greet')(HealthController.prototype, 'greet', Object.getOwnPropertyDescriptor(HealthController.prototype, 'greet'));

class AppModule {}
Module({ imports: [TerminusModule.forRoot(), PluginModule.forRoot({ plugins: [HelloPlugin], hostVersion: '0.1.0' })], controllers: [HealthController] })(
  AppModule,
);

(async () => {
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${app.getHttpServer().address().port}`;
  const health = await fetch(`${base}/health`);
  const body = await health.json();
  const greet = await (await fetch(`${base}/greet`)).json();
  await app.close();
  const nest = require('@nestjs/core/package.json').version;
  if (health.status !== 200 || body.info?.plugins?.hello?.status !== 'up' || greet.text !== 'hello nest') {
    console.error(`FAILED on Nest ${nest} (ESM): ${health.status} ${JSON.stringify(body)} ${JSON.stringify(greet)}`);
    process.exit(1);
  }
  console.log(`ok: ES-module app on Nest ${nest}: /health ${health.status}, plugin "hello" up`);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
