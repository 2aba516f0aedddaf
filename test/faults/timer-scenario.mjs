// Run by timer-faults.ts in plain Node (Jest owns process-level error handlers in its own runs): an HTTP
// host whose in-process plugin throws from a timer or drops a rejected promise after it has started.
// Prints one JSON line: what /ping answered after the fault, and the plugin's info.
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { InjectPlugin, PluginManager, PluginModule } from 'nestjs-plugin-host';

class PingController {
  constructor(bystander) {
    this.bystander = bystander;
  }
  async ping() {
    return { bystander: await this.bystander.ping() };
  }
}
InjectPlugin('bystander')(PingController, undefined, 0);
Controller()(PingController);
Get('ping')(PingController.prototype, 'ping', Object.getOwnPropertyDescriptor(PingController.prototype, 'ping'));

class AppModule {}
Module({
  imports: [PluginModule.forRoot({ discovery: { root: process.env.PLUGIN_ROOT }, hostVersion: '0.1.0', env: {} })],
  controllers: [PingController],
})(AppModule);

const app = await NestFactory.create(AppModule, { logger: false });
await app.listen(0, '127.0.0.1');
await new Promise((resolve) => setTimeout(resolve, 400)); // the plugin's timer fires at 50 ms
const { port } = app.getHttpServer().address();
const response = await fetch(`http://127.0.0.1:${port}/ping`);
const result = { status: response.status, body: await response.json(), faulty: app.get(PluginManager).info('faulty') };
await app.close();
console.log(JSON.stringify(result));
