import type { CanActivate, Type } from '@nestjs/common';

/** The admin routes' checked options, as their guard reads them. */
export const PLUGIN_ADMIN_OPTIONS = 'nestjs-plugin-host:admin-options';
/** The runtime options as given (`forRoot`'s, or what `forRootAsync`'s factory made), before they are checked. */
export const PLUGIN_ADMIN_GIVEN_OPTIONS = 'nestjs-plugin-host:admin-given-options';

/** Options that may come from a factory (`PluginAdminModule.forRootAsync`), e.g. a token from `ConfigService`. */
export interface PluginAdminRuntimeOptions {
  /**
   * A shared secret of at least 16 characters of printable ASCII without spaces: requests must send exactly
   * `Authorization: Bearer <token>` (compared in constant time).
   */
  token?: string;
  /**
   * `false`: every admin route answers 404, as if the module were not imported (e.g. no token is configured in this
   * environment). Default `true`.
   */
  enabled?: boolean;
}

/** Options Nest needs before it builds the module graph. */
export interface PluginAdminStaticOptions {
  /** A Nest guard class that decides who may use the routes (it may inject providers of the app). */
  guard?: Type<CanActivate>;
  /** Route prefix. Default `plugins`: `GET /plugins`, `POST /plugins/:name/reload`, ... */
  path?: string;
}

/** What `PluginAdminModule.forRoot` takes. */
export interface PluginAdminOptions extends PluginAdminRuntimeOptions, PluginAdminStaticOptions {}

/**
 * A class that makes the runtime options, for `PluginAdminModule.forRootAsync({ useClass })` or `({ useExisting })`.
 */
export interface PluginAdminOptionsFactory {
  createPluginAdminOptions(): PluginAdminRuntimeOptions | Promise<PluginAdminRuntimeOptions>;
}
