import {
  ConfigurableModuleBuilder,
  Controller,
  Module,
  type ConfigurableModuleAsyncOptions,
  type DynamicModule,
} from '@nestjs/common';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import { AdminAuthGuard } from './admin-auth.guard.js';
import {
  PLUGIN_ADMIN_GIVEN_OPTIONS,
  PLUGIN_ADMIN_OPTIONS,
  type PluginAdminOptions,
  type PluginAdminRuntimeOptions,
  type PluginAdminStaticOptions,
} from './admin-options.js';
import { PluginAdminController } from './plugin-admin.controller.js';

/** What a bearer token can hold: visible ASCII, no whitespace. */
const TOKEN_CHARACTERS = /^[\x21-\x7e]+$/;

/** What `PluginAdminModule.forRootAsync` takes: `path` and `guard`, and the token from a factory, a class or an existing provider. */
export type PluginAdminAsyncOptions = ConfigurableModuleAsyncOptions<
  PluginAdminRuntimeOptions,
  'createPluginAdminOptions'
> &
  PluginAdminStaticOptions;

const { ConfigurableModuleClass } = new ConfigurableModuleBuilder<PluginAdminRuntimeOptions>({
  optionsInjectionToken: PLUGIN_ADMIN_GIVEN_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createPluginAdminOptions')
  .setExtras<PluginAdminStaticOptions>({ guard: undefined, path: undefined }, (definition, statics) =>
    withRoutes(definition, statics),
  )
  .build();

/**
 * Opt-in admin routes: `GET /plugins`, `GET /plugins/:name`,
 * `POST /plugins/:name/enable|disable|reload`, `PATCH /plugins/:name/config`,
 * every one behind the given guard or bearer token. Without this module none of
 * them exist. Every change is in `PluginManager.audit()`.
 *
 * @example
 * PluginAdminModule.forRoot({ token: process.env.PLUGIN_ADMIN_TOKEN })
 * PluginAdminModule.forRootAsync({ imports: [ConfigModule], inject: [ConfigService], useFactory: (config: ConfigService) => ({ token: config.get('ADMIN_TOKEN') }) })
 */
@Module({})
export class PluginAdminModule extends ConfigurableModuleClass {
  /** Options known when the module is declared; checked now (`PLUGIN_OPTIONS_INVALID`). */
  static forRoot(options: PluginAdminOptions): DynamicModule {
    checkedOptions(options);
    return super.forRoot(options);
  }

  /** The token (or `enabled: false`) from a factory, resolved inside DI; checked as the app boots (`PLUGIN_OPTIONS_INVALID`). */
  static forRootAsync(options: PluginAdminAsyncOptions): DynamicModule {
    return super.forRootAsync(options);
  }
}

/** The builder's module (its given-options provider) with the routes, their guard and the checked options. */
function withRoutes(definition: DynamicModule, { guard, path }: PluginAdminStaticOptions): DynamicModule {
  // The route prefix is the host's: the controller gets its @Controller() here.
  class AdminController extends PluginAdminController {}
  Controller(path ?? 'plugins')(AdminController);
  return {
    ...definition,
    controllers: [AdminController],
    providers: [
      ...(definition.providers ?? []),
      {
        provide: PLUGIN_ADMIN_OPTIONS,
        useFactory: (given: PluginAdminRuntimeOptions) => checkedOptions({ ...given, guard, path }),
        inject: [PLUGIN_ADMIN_GIVEN_OPTIONS],
      },
      AdminAuthGuard,
      ...(guard ? [guard] : []),
    ],
  };
}

/** `options`, or `PLUGIN_OPTIONS_INVALID` listing what is wrong with them. */
function checkedOptions(options: PluginAdminOptions): PluginAdminOptions {
  const problems: string[] = [];
  if (options.enabled === false) return options; // the routes answer 404: nothing else is used
  if (!options.guard && options.token === undefined) problems.push('give a guard class or a token (or enabled: false)');
  if (options.guard && options.token !== undefined) problems.push('give a guard class or a token, not both');
  if (options.token !== undefined && (typeof options.token !== 'string' || options.token.length < 16)) {
    problems.push('token must be a string of at least 16 characters (e.g. openssl rand -hex 32)');
  } else if (options.token !== undefined && !TOKEN_CHARACTERS.test(options.token)) {
    // A header carries `Bearer <token>` with nothing around it: a token with a space, a line break or a
    // non-ASCII character could never be sent and matched, so no one could use the routes.
    problems.push(
      'token must be printable ASCII without spaces or line breaks (check ADMIN_TOKEN for a trailing newline; e.g. openssl rand -hex 32)',
    );
  }
  if (problems.length > 0) {
    throw new PluginError(
      PluginErrorCode.OPTIONS_INVALID,
      `PluginAdminModule options are invalid: ${problems.join('; ')}.`,
      { details: { problems } },
    );
  }
  return options;
}
