import { Controller, Module, type DynamicModule } from '@nestjs/common';
import { PluginError, PluginErrorCode } from '../errors/index.js';
import { AdminAuthGuard } from './admin-auth.guard.js';
import { PLUGIN_ADMIN_OPTIONS, type PluginAdminOptions } from './admin-options.js';
import { PluginAdminController } from './plugin-admin.controller.js';

/** What a bearer token can hold: visible ASCII, no whitespace. */
const TOKEN_CHARACTERS = /^[\x21-\x7e]+$/;

/**
 * Opt-in admin routes: `GET /plugins`, `GET /plugins/:name`,
 * `POST /plugins/:name/enable|disable|reload`, `PATCH /plugins/:name/config`,
 * every one behind the given guard or bearer token. Without this module none of
 * them exist. Every change is in `PluginManager.audit()`.
 *
 * @example
 * PluginAdminModule.forRoot({ token: process.env.PLUGIN_ADMIN_TOKEN })
 */
@Module({})
export class PluginAdminModule {
  static forRoot(options: PluginAdminOptions): DynamicModule {
    const problems: string[] = [];
    if (!options.guard && options.token === undefined) problems.push('give a guard class or a token');
    if (options.guard && options.token !== undefined) problems.push('give a guard class or a token, not both');
    if (options.token !== undefined && (typeof options.token !== 'string' || options.token.length < 16)) {
      problems.push('token must be a string of at least 16 characters (e.g. openssl rand -hex 32)');
    } else if (options.token !== undefined && !TOKEN_CHARACTERS.test(options.token)) {
      // A header carries `Bearer <token>` with nothing around it: a token with a space, a line break or a
      // non-ASCII character could never be sent and matched, so no one could use the routes.
      problems.push('token must be printable ASCII without spaces or line breaks (check ADMIN_TOKEN for a trailing newline; e.g. openssl rand -hex 32)');
    }
    if (problems.length > 0) {
      throw new PluginError(PluginErrorCode.OPTIONS_INVALID, `PluginAdminModule options are invalid: ${problems.join('; ')}.`, { details: { problems } });
    }
    // The route prefix is the host's: the controller gets its @Controller() here.
    class AdminController extends PluginAdminController {}
    Controller(options.path ?? 'plugins')(AdminController);
    return {
      module: PluginAdminModule,
      controllers: [AdminController],
      providers: [{ provide: PLUGIN_ADMIN_OPTIONS, useValue: options }, AdminAuthGuard, ...(options.guard ? [options.guard] : [])],
    };
  }
}
