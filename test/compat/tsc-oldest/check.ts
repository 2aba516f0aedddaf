// Type-checked by .ci/compat with the oldest TypeScript the library supports (5.0), from the Nest 11 app's
// node_modules, twice: `module: commonjs` + `moduleResolution: node` (tsconfig.json; node10 reads the package's
// `types`/`main` fields, not `exports`) and `module: nodenext` (tsconfig.nodenext.json; the `require` condition).
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import {
  InjectPlugin,
  Plugin,
  PluginHealthIndicator,
  PluginManager,
  PluginModule,
  type PluginOptionsFactory,
} from 'nestjs-plugin-host';
import { PluginAdminModule } from 'nestjs-plugin-host/admin';
import { resolvePluginConfig } from 'nestjs-plugin-host/runtime';
import { matrixProblems, type AlgorithmPlugin } from '@nestjs-plugin-host/anomaly-contracts';
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
  imports: [
    PluginModule.forRoot({ plugins: [GreetingPlugin, PyodPlugin] }),
    PluginAdminModule.forRoot({ token: 'a-long-enough-secret' }),
  ],
  providers: [AnomalyService],
})
export class AppModule {}

@Injectable()
export class Options implements PluginOptionsFactory {
  createPluginOptions() {
    return { disabled: matrixProblems([[1]]).length > 0 ? ['pyod'] : [] };
  }
}

@Module({
  imports: [
    PluginModule.forRootAsync({ plugins: [GreetingPlugin], useClass: Options }),
    PluginModule.forFeature({ plugins: ['later'] }),
  ],
})
export class AsyncAppModule {}

export const validated: Promise<{ config: object; warnings: string[] }> = resolvePluginConfig({
  plugin: 'greeting',
  options: {},
  env: {},
});
