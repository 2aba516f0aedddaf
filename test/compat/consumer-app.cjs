// A throw-away Nest app using the packed library (run by .ci/compat): one plugin, Terminus health; exits 0
// when GET /health reports the plugin up. Run as CommonJS (this file, with require); consumer-app.mjs runs
// the same app with the modules loaded by import.
function run({ common, core, terminus, host, kind }) {
  const { Controller, Get, Module } = common;
  const { NestFactory } = core;
  const { HealthCheck, HealthCheckService, TerminusModule } = terminus;
  const { Plugin, PluginHealthIndicator, PluginModule, InjectPlugin } = host;

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

  return (async () => {
    const app = await NestFactory.create(AppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${app.getHttpServer().address().port}`;
    const health = await fetch(`${base}/health`);
    const body = await health.json();
    const greet = await (await fetch(`${base}/greet`)).json();
    await app.close();
    const nest = require('@nestjs/core/package.json').version;
    if (health.status !== 200 || body.info?.plugins?.hello?.status !== 'up' || greet.text !== 'hello nest') {
      console.error(`FAILED on Nest ${nest} (${kind}): ${health.status} ${JSON.stringify(body)} ${JSON.stringify(greet)}`);
      process.exit(1);
    }
    console.log(`ok: ${kind} app on Nest ${nest}: /health ${health.status}, plugin "hello" up`);
  })().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

module.exports = { run };

if (require.main === module) {
  require('reflect-metadata');
  run({
    common: require('@nestjs/common'),
    core: require('@nestjs/core'),
    terminus: require('@nestjs/terminus'),
    host: require('nestjs-plugin-host'), // require(esm): Node ≥ 20.19
    kind: 'CommonJS',
  });
}
