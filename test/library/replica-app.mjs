// One replica of a host, run in plain Node by redis-replicas.e2e-spec.ts and the replicas benchmark: the package
// plugins under PLUGIN_ROOT, the admin routes (ADMIN_TOKEN), and the plugin state shared through the Redis at
// REDIS_URL as replica REPLICA. Prints {"port": n} once it listens; SIGTERM closes it.
//   GET /greet  → the greeter plugin's greeting (503 with the plugin error while it is disabled)
//   GET /state  → the state version this replica applied, and each plugin's state
import 'reflect-metadata';
import { Controller, Get, Inject, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PluginErrorFilter, PluginManager, PluginModule } from 'nestjs-plugin-host';
import { PluginAdminModule } from 'nestjs-plugin-host/admin';
import { RedisPluginStateStore } from 'nestjs-plugin-host/redis';

const { PLUGIN_ROOT: root, REDIS_URL: url, REPLICA: replica, ADMIN_TOKEN: token, CLUSTER: cluster } = process.env;

class ReplicaController {
  constructor(plugins) {
    this.plugins = plugins;
  }
  greet() {
    return this.plugins.get('greeter').greet();
  }
  state() {
    const states = Object.fromEntries(this.plugins.list().map((info) => [info.name, info.state]));
    return { replica, version: this.plugins.stateVersion(), states };
  }
}
Inject(PluginManager)(ReplicaController, undefined, 0);
for (const [method, path] of [
  ['greet', 'greet'],
  ['state', 'state'],
])
  Get(path)(ReplicaController.prototype, method, Object.getOwnPropertyDescriptor(ReplicaController.prototype, method));
Controller()(ReplicaController);

class AppModule {}
Module({
  imports: [
    PluginModule.forRootAsync({
      discovery: { root },
      useFactory: () => ({
        hostVersion: '0.1.0',
        state: { store: new RedisPluginStateStore({ url, cluster, commandTimeoutMs: 1000 }), replica },
      }),
    }),
    PluginAdminModule.forRoot({ path: 'admin/plugins', token }),
  ],
  controllers: [ReplicaController],
})(AppModule);

const app = await NestFactory.create(AppModule, { logger: process.env.LOG ? undefined : ['error'] });
app.useGlobalFilters(new PluginErrorFilter());
app.enableShutdownHooks();
await app.listen(0, '127.0.0.1');
console.log(JSON.stringify({ port: app.getHttpServer().address().port }));
