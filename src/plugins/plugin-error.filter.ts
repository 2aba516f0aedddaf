import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { PluginError, PluginErrorCode } from 'nestjs-plugin-host';
import type { Response } from 'express';

const STATUS: Partial<Record<string, number>> = {
  [PluginErrorCode.NOT_FOUND]: HttpStatus.NOT_FOUND,
  [PluginErrorCode.DISABLED]: HttpStatus.SERVICE_UNAVAILABLE,
  [PluginErrorCode.TIMEOUT]: HttpStatus.GATEWAY_TIMEOUT,
};

/** Turns a PluginError into an HTTP answer that keeps its code and message. */
@Catch(PluginError)
export class PluginErrorFilter implements ExceptionFilter {
  catch(error: PluginError, host: ArgumentsHost): void {
    const status = STATUS[error.code] ?? HttpStatus.INTERNAL_SERVER_ERROR;
    host.switchToHttp().getResponse<Response>().status(status).json({ statusCode: status, code: error.code, plugin: error.plugin, message: error.message });
  }
}
