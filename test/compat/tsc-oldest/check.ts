// Type-checked by .ci/compat with the oldest TypeScript the library supports (5.0), from the Nest 11 app's
// node_modules, twice: `module: commonjs` + `moduleResolution: node` (tsconfig.json; node10 reads the package's
// `types`/`main` fields, not `exports`) and `module: nodenext` (tsconfig.nodenext.json; the `require` condition).
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { InjectPlugin, Plugin, PluginHealthIndicator, PluginManager, PluginModule, type AlgorithmPlugin } from 'nestjs-plugin-host';
import { PluginAdminModule } from 'nestjs-plugin-host/admin';
import { PyodPlugin } from '@nestjs-plugin-host/pyod';

@Plugin({ name: 'greeting', type: 'greeting', version: '1.0.0' })
export class GreetingPlugin {
  greet(who: string): string {
    return `hello, ${who}`;
  }
}

@Injectable()
export class AnomalyService {
  constructor(
    @InjectPlugin('pyod') readonly pyod: AlgorithmPlugin,
    readonly plugins: PluginManager,
    readonly health: PluginHealthIndicator,
  ) {}
}

@Module({
  imports: [PluginModule.forRoot({ plugins: [GreetingPlugin, PyodPlugin] }), PluginAdminModule.forRoot({ token: 'a-long-enough-secret' })],
  providers: [AnomalyService],
})
export class AppModule {}
