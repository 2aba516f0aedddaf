import { describe, expect, it } from '@jest/globals';
import { Inject, Injectable, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import {
  InjectPlugin,
  InjectPlugins,
  Plugin,
  PluginManager,
  PluginModule,
  getPluginToken,
  type PluginModuleOptions,
  type PluginOptionsFactory,
} from 'nestjs-plugin-host';
import { CallLog, CapturingLogger, makePlugin } from './fixtures.js';

const config = () => ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ DISABLED_PLUGINS: 'two' })] });

/** Reads `disabled` from ConfigService, as a host's options class would. */
@Injectable()
class PluginOptions implements PluginOptionsFactory {
  constructor(private readonly settings: ConfigService) {}
  createPluginOptions(): PluginModuleOptions {
    return { hostVersion: '0.1.0', env: {}, disabled: this.settings.get<string>('DISABLED_PLUGINS')?.split(',') };
  }
}

@Module({ imports: [config()], providers: [PluginOptions], exports: [PluginOptions] })
class OptionsModule {}

/** Boots `imports` with a capturing logger; the testing module is closed by the caller. */
async function boot(
  imports: NonNullable<Parameters<typeof Test.createTestingModule>[0]['imports']>,
  providers: Parameters<typeof Test.createTestingModule>[0]['providers'] = [],
) {
  const logger = new CapturingLogger();
  const moduleRef = await Test.createTestingModule({ imports, providers }).setLogger(logger).compile();
  await moduleRef.init();
  return { moduleRef, logger };
}

describe('PluginModule, as Nest modules are written', () => {
  const log = new CallLog();
  const plugins = () => [makePlugin({ name: 'one' }, log), makePlugin({ name: 'two' }, log)];

  it('returns its dynamic module synchronously from forRoot and forRootAsync', () => {
    const fromFactory = PluginModule.forRootAsync({ useFactory: () => ({}) });
    expect(fromFactory).not.toBeInstanceOf(Promise);
    expect(fromFactory.module).toBe(PluginModule);
    expect(PluginModule.forRoot()).not.toBeInstanceOf(Promise);
  });

  it.each([
    ['useClass', () => PluginModule.forRootAsync({ plugins: plugins(), imports: [config()], useClass: PluginOptions })],
    [
      'useExisting',
      () => PluginModule.forRootAsync({ plugins: plugins(), imports: [OptionsModule], useExisting: PluginOptions }),
    ],
    [
      'useFactory',
      () =>
        PluginModule.forRootAsync({
          plugins: plugins(),
          imports: [config()],
          inject: [ConfigService],
          useFactory: (settings: ConfigService) => ({
            hostVersion: '0.1.0',
            env: {},
            disabled: settings.get<string>('DISABLED_PLUGINS')?.split(','),
          }),
        }),
    ],
  ])('takes its runtime options from %s, resolved inside DI', async (_, root) => {
    const { moduleRef } = await boot([root()]);
    try {
      const manager = moduleRef.get(PluginManager);
      expect(manager.info('one').state).toBe('enabled');
      expect(manager.info('two').state).toBe('disabled');
    } finally {
      await moduleRef.close();
    }
  });

  it('fails bootstrap with PLUGIN_NOT_FOUND, naming the consumer and the fix, for a name or type no module declares', async () => {
    @Injectable()
    class Consumer {
      constructor(
        @InjectPlugin('ghost') readonly ghost: object,
        @InjectPlugins('exporter') readonly exporters: object[],
      ) {}
    }
    const failure = boot([PluginModule.forRoot({ plugins: plugins(), hostVersion: '0.1.0', env: {} })], [Consumer]);
    await expect(failure).rejects.toMatchObject({
      code: 'PLUGIN_NOT_FOUND',
      message: expect.stringContaining(
        "Consumer uses @InjectPlugin('ghost'), but no plugin \"ghost\" is known at boot (listed in PluginModule.forRoot({ plugins }) or found in a package manifest). If it is a @Plugin() provider or arrives later, declare it in the module that provides Consumer: imports: [PluginModule.forFeature({ plugins: ['ghost'] })].",
      ),
    });
    await expect(failure).rejects.toMatchObject({
      message: expect.stringContaining("imports: [PluginModule.forFeature({ types: ['exporter'] })]"),
    });
  });

  it("fails bootstrap rather than inject undefined where a declared name is out of the consumer module's reach", async () => {
    @Injectable()
    class Consumer {
      constructor(@InjectPlugin('later') readonly later: object) {}
    }
    @Module({ imports: [PluginModule.forFeature({ plugins: ['later'] })] })
    class DeclaringModule {}
    @Module({ providers: [Consumer] })
    class ConsumingModule {}
    const root = PluginModule.forRoot({ hostVersion: '0.1.0', env: {} });
    await expect(boot([root, DeclaringModule, ConsumingModule])).rejects.toMatchObject({
      code: 'PLUGIN_NOT_FOUND',
      message: expect.stringContaining(
        "Consumer uses @InjectPlugin('later'), which another module declares but ConsumingModule does not reach.",
      ),
    });
    // isGlobal: false: PluginModule's own tokens reach only the modules that import it.
    @Injectable()
    class Feature {
      constructor(@InjectPlugin('one') readonly one: object) {}
    }
    @Module({ providers: [Feature] })
    class FeatureModule {}
    const local = PluginModule.forRoot({ isGlobal: false, plugins: plugins(), hostVersion: '0.1.0', env: {} });
    await expect(boot([local, FeatureModule])).rejects.toMatchObject({
      code: 'PLUGIN_NOT_FOUND',
      message: expect.stringContaining('FeatureModule does not reach'),
    });
  });

  it('injects what PluginModule.forFeature declares: a reference that throws PLUGIN_NOT_FOUND until such a plugin exists, and a live list', async () => {
    @Injectable()
    class Consumer {
      constructor(
        @InjectPlugin('later') readonly later: { run(): void },
        @InjectPlugins('exporter') readonly exporters: object[],
      ) {}
    }
    @Module({
      imports: [PluginModule.forFeature({ plugins: ['later'], types: ['exporter'] })],
      providers: [Consumer],
      exports: [Consumer],
    })
    class FeatureModule {}
    const { moduleRef, logger } = await boot([
      PluginModule.forRoot({ plugins: plugins(), hostVersion: '0.1.0', env: {} }),
      FeatureModule,
    ]);
    try {
      const consumer = moduleRef.get(Consumer);
      expect(() => consumer.later.run()).toThrow(expect.objectContaining({ code: 'PLUGIN_NOT_FOUND' }));
      expect(consumer.exporters).toEqual([]);
      expect(logger.messages()).toContain(
        `warn: @InjectPlugin('later') is used but no plugin named "later" is registered; calls through it throw PLUGIN_NOT_FOUND.`,
      );
    } finally {
      await moduleRef.close();
    }
  });

  it('keeps no state between apps: a name one app declared is no token in the next', async () => {
    @Injectable()
    class Consumer {
      constructor(@InjectPlugin('only-in-first') readonly plugin: object) {}
    }
    @Module({ imports: [PluginModule.forFeature({ plugins: ['only-in-first'] })], providers: [Consumer] })
    class FeatureModule {}
    const first = await boot([PluginModule.forRoot({ hostVersion: '0.1.0', env: {} }), FeatureModule]);
    await first.moduleRef.close();
    const second = await boot([PluginModule.forRoot({ hostVersion: '0.1.0', env: {} })]);
    try {
      expect(() => second.moduleRef.get(getPluginToken('only-in-first'), { strict: false })).toThrow();
    } finally {
      await second.moduleRef.close();
    }
  });
});

describe('building plugin classes', () => {
  const GREETING = 'GREETING';

  it('resolves property injections and constructor injections through Nest, and builds plain classes directly', async () => {
    @Plugin({ name: 'by-property', type: 'custom', version: '1.0.0', compatibility: '^0.1.0' })
    class ByProperty {
      @Inject(GREETING) readonly greeting!: string;
      hello(): string {
        return `${this.greeting} by property`;
      }
    }
    @Plugin({ name: 'by-constructor', type: 'custom', version: '1.0.0', compatibility: '^0.1.0' })
    class ByConstructor {
      constructor(@Inject(GREETING) readonly greeting: string) {}
    }
    @Plugin({ name: 'plain', type: 'custom', version: '1.0.0', compatibility: '^0.1.0' })
    class Plain {
      hello(): string {
        return 'from plain';
      }
    }
    @Module({ providers: [{ provide: GREETING, useValue: 'hi' }], exports: [GREETING] })
    class GreetingModule {}
    const { moduleRef } = await boot([
      PluginModule.forRoot({
        plugins: [ByProperty, ByConstructor, Plain],
        imports: [GreetingModule],
        hostVersion: '0.1.0',
        env: {},
      }),
    ]);
    try {
      const manager = moduleRef.get(PluginManager);
      expect(manager.get<ByProperty>('by-property').hello()).toBe('hi by property');
      expect(manager.get<ByConstructor>('by-constructor').greeting).toBe('hi');
      expect(manager.get<Plain>('plain').hello()).toBe('from plain');
    } finally {
      await moduleRef.close();
    }
  });

  it('refuses a plugin class that injects another plugin, saying how to reach it, and boots the rest', async () => {
    @Plugin({ name: 'needy', type: 'custom', version: '1.0.0', compatibility: '^0.1.0' })
    class Needy {
      @InjectPlugin('helper') readonly helper!: object;
    }
    const { moduleRef } = await boot([
      PluginModule.forRoot({
        plugins: [Needy, makePlugin({ name: 'helper' }, new CallLog())],
        hostVersion: '0.1.0',
        env: {},
      }),
    ]);
    try {
      const manager = moduleRef.get(PluginManager);
      expect(manager.info('needy')).toMatchObject({ state: 'failed', error: { code: 'PLUGIN_LOAD_FAILED' } });
      expect(manager.info('needy').error?.message).toContain("a plugin class cannot use @InjectPlugin('helper')");
      expect(manager.info('helper').state).toBe('enabled');
    } finally {
      await moduleRef.close();
    }
  });
});
