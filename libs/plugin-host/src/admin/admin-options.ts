import type { CanActivate, Type } from '@nestjs/common';

export const PLUGIN_ADMIN_OPTIONS = 'nestjs-plugin-host:admin-options';

export interface PluginAdminOptions {
  /** A Nest guard class that decides who may use the routes (it may inject providers of the app). */
  guard?: Type<CanActivate>;
  /**
   * A shared secret of at least 16 characters of printable ASCII without spaces: requests must send exactly
   * `Authorization: Bearer <token>` (compared in constant time).
   */
  token?: string;
  /** Route prefix. Default `plugins`: `GET /plugins`, `POST /plugins/:name/reload`, ... */
  path?: string;
}
