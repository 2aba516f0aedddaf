// A throw-away CommonJS Nest app using the packed library (run by .ci/compat): one plugin, Terminus
// health; exits 0 when GET /health reports the plugin up.
require('reflect-metadata');
const { Controller, Get, Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { HealthCheck, HealthCheckService, TerminusModule } = require('@nestjs/terminus');
const { Plugin, PluginHealthIndicator, PluginModule, InjectPlugin } = require('nestjs-plugin-host'); // require(esm): Node ≥ 20.19

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
    console.error(`FAILED on Nest ${nest} (CommonJS): ${health.status} ${JSON.stringify(body)} ${JSON.stringify(greet)}`);
    process.exit(1);
  }
  console.log(`ok: CommonJS app on Nest ${nest}: /health ${health.status}, plugin "hello" up`);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
