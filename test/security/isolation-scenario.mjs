// Run by isolation-lifetime.e2e-spec.ts in plain Node: a real host (a Nest application context) with one
// process-tier plugin, "victim", from the plugin folder in PLUGIN_ROOT. Prints one JSON line per event.
// First { host, child } (the pids), then:
//   SCENARIO=idle        nothing; it waits to be killed
//   SCENARIO=busy        { spinning } once the child's event loop is blocked (a synchronous loop); it waits to be killed
//   SCENARIO=kill-parent the plugin tries process.kill(process.ppid, 'SIGKILL'); prints what it got, then closes
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PluginModule, getPluginToken } from 'nestjs-plugin-host';
import { setInterval } from 'node:timers';

const print = (event) => console.log(JSON.stringify(event));
class AppModule {}
Module({
  imports: [PluginModule.forRoot({ discovery: { root: process.env.PLUGIN_ROOT }, hostVersion: '0.1.0', env: {} })],
})(AppModule);
const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
const victim = app.get(getPluginToken('victim'));
print({ host: process.pid, child: await victim.pid() });
switch (process.env.SCENARIO) {
  case 'kill-parent': {
    const outcome = await victim.killParent().then(
      () => ({ killed: 'no error' }),
      (error) => ({ code: error.code, message: error.message }),
    );
    print({ ...outcome, hostAlive: true });
    await app.close();
    break;
  }
  case 'busy':
    void victim.spin().catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the call has reached the child
    print({ spinning: true });
    setInterval(() => undefined, 1000);
    break;
  default:
    setInterval(() => undefined, 1000);
}
