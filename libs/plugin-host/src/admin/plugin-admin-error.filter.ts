import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { PluginError, PluginErrorCode } from '../errors/index.js';

const STATUS: Partial<Record<string, number>> = {
  [PluginErrorCode.NOT_FOUND]: HttpStatus.NOT_FOUND,
  [PluginErrorCode.CONFIG_INVALID]: HttpStatus.BAD_REQUEST,
  [PluginErrorCode.TIMEOUT]: HttpStatus.GATEWAY_TIMEOUT,
  [PluginErrorCode.LOAD_FAILED]: HttpStatus.INTERNAL_SERVER_ERROR,
  [PluginErrorCode.INIT_FAILED]: HttpStatus.INTERNAL_SERVER_ERROR,
  [PluginErrorCode.CLEANUP_FAILED]: HttpStatus.INTERNAL_SERVER_ERROR,
};

/**
 * A failed operation as an HTTP answer keeping the code and message: 404 for an
 * unknown plugin, 400 for an invalid config, 504 for a timeout, 500 when the
 * plugin's own code failed, 409 when the plugin's state or declaration refused it.
 */
@Catch(PluginError)
export class PluginAdminErrorFilter implements ExceptionFilter {
  catch(error: PluginError, host: ArgumentsHost): void {
    const status = STATUS[error.code] ?? HttpStatus.CONFLICT;
    const response = host.switchToHttp().getResponse<{ status(code: number): { json(body: unknown): void } }>();
    response.status(status).json({ statusCode: status, code: error.code, plugin: error.plugin, message: error.message });
  }
}
