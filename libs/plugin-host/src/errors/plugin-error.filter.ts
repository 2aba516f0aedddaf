import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { PluginError } from './plugin-error.js';
import { PluginErrorCode } from './plugin-error-code.js';

const STATUS: Partial<Record<PluginErrorCode, number>> = {
  [PluginErrorCode.NOT_FOUND]: HttpStatus.NOT_FOUND,
  [PluginErrorCode.CONFIG_INVALID]: HttpStatus.BAD_REQUEST,
  [PluginErrorCode.INPUT_INVALID]: HttpStatus.BAD_REQUEST,
  [PluginErrorCode.DISABLED]: HttpStatus.SERVICE_UNAVAILABLE,
  [PluginErrorCode.NOT_LOADED]: HttpStatus.SERVICE_UNAVAILABLE,
  [PluginErrorCode.CRASHED]: HttpStatus.SERVICE_UNAVAILABLE,
  [PluginErrorCode.TIMEOUT]: HttpStatus.GATEWAY_TIMEOUT,
  [PluginErrorCode.LOAD_FAILED]: HttpStatus.INTERNAL_SERVER_ERROR,
  [PluginErrorCode.INIT_FAILED]: HttpStatus.INTERNAL_SERVER_ERROR,
  [PluginErrorCode.CLEANUP_FAILED]: HttpStatus.INTERNAL_SERVER_ERROR,
  [PluginErrorCode.HOOK_FAILED]: HttpStatus.INTERNAL_SERVER_ERROR,
  [PluginErrorCode.NOT_CLONEABLE]: HttpStatus.INTERNAL_SERVER_ERROR,
  [PluginErrorCode.PROTOCOL_ERROR]: HttpStatus.SERVICE_UNAVAILABLE,
  [PluginErrorCode.RESOURCE_LIMIT]: HttpStatus.SERVICE_UNAVAILABLE,
  [PluginErrorCode.STATE_UNAVAILABLE]: HttpStatus.SERVICE_UNAVAILABLE,
};

/** The HTTP status a plugin error answers with (see `PluginErrorFilter`). */
export function pluginErrorStatus(error: PluginError): number {
  return STATUS[error.code] ?? HttpStatus.CONFLICT;
}

/**
 * A `PluginError` as an HTTP answer that keeps its code, plugin and message:
 * 404 unknown plugin, 400 invalid config or input, 503 plugin not available now
 * (disabled, not loaded, crashed), 504 timeout, 500 the plugin's own code
 * failed, 409 refused by its declaration or policy (manifest, compatibility,
 * dependencies, trust, access, quarantine).
 *
 * @example
 * app.useGlobalFilters(new PluginErrorFilter());
 */
@Catch(PluginError)
export class PluginErrorFilter implements ExceptionFilter {
  catch(error: PluginError, host: ArgumentsHost): void {
    const status = pluginErrorStatus(error);
    const response = host.switchToHttp().getResponse<{ status(code: number): { json(body: unknown): void } }>();
    response
      .status(status)
      .json({ statusCode: status, code: error.code, plugin: error.plugin, message: error.message });
  }
}
