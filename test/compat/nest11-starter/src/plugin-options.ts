import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type {
  PluginModuleOptions,
  PluginOptionsFactory,
} from 'nestjs-plugin-host';

/** The plugin host's runtime options from ConfigService (`PluginModule.forRootAsync({ useClass })`). */
@Injectable()
export class PluginOptions implements PluginOptionsFactory {
  constructor(private readonly config: ConfigService) {}

  createPluginOptions(): PluginModuleOptions {
    return {
      disabled: (this.config.get<string>('DISABLED_PLUGINS') ?? '')
        .split(',')
        .filter(Boolean),
      config: {
        pyod: {
          contamination: Number(
            this.config.get<string>('PYOD_CONTAMINATION') ?? 0.1,
          ),
        },
      },
    };
  }
}
