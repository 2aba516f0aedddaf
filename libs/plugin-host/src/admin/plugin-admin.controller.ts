import {
  BadRequestException,
  Body,
  NotFoundException,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Req,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { PluginManager, type AuditEntry, type PluginInfo, type PluginOperationResult } from '../manager/index.js';
import { AdminAuthGuard } from './admin-auth.guard.js';
import { PluginErrorFilter } from '../errors/index.js';

interface AdminRequest {
  method: string;
  originalUrl?: string;
  url: string;
  user?: { id?: unknown; username?: unknown; name?: unknown; sub?: unknown };
  headers: Record<string, string | undefined>;
}

/**
 * The admin routes. The class gets its `@Controller(path)` in
 * `PluginAdminModule.forRoot`, so the prefix is the host's choice.
 */
@UseGuards(AdminAuthGuard)
@UseFilters(PluginErrorFilter)
export class PluginAdminController {
  constructor(private readonly plugins: PluginManager) {}

  @Get()
  list(): PluginInfo[] {
    return this.plugins.list();
  }

  /** The runtime changes, oldest first: with a state store, every replica's (a plugin named `audit` has its info in the list). */
  @Get('audit')
  audit(): AuditEntry[] {
    return this.plugins.audit();
  }

  @Get(':name')
  info(@Param('name') name: string): PluginInfo {
    return this.plugins.info(name);
  }

  @Post(':name/:operation')
  @HttpCode(200)
  operate(
    @Param('name') name: string,
    @Param('operation') operation: string,
    @Body() body: unknown,
    @Req() request: AdminRequest,
  ): Promise<PluginOperationResult> {
    if (operation !== 'enable' && operation !== 'disable' && operation !== 'reload') {
      throw new NotFoundException(
        `no route POST ${request.originalUrl ?? request.url}: the operations are enable, disable and reload`,
      );
    }
    noBody(body);
    return this.plugins[operation](name, context(request));
  }

  @Patch(':name/config')
  updateConfig(
    @Param('name') name: string,
    @Body() body: unknown,
    @Req() request: AdminRequest,
  ): Promise<PluginOperationResult> {
    if (body === null || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length === 0) {
      throw new BadRequestException(
        'the body must be a JSON object of the config keys to change, e.g. {"contamination": 0.05}',
      );
    }
    return this.plugins.updateConfig(name, body as Record<string, unknown>, context(request));
  }
}

function noBody(body: unknown): void {
  if (body !== undefined && body !== null && !(typeof body === 'object' && Object.keys(body).length === 0)) {
    throw new BadRequestException('this route takes no body');
  }
}

function context(request: AdminRequest): { actor?: string; route: string } {
  const user = request.user;
  const who = user
    ? (user.username ?? user.name ?? user.id ?? user.sub)
    : request.headers.authorization
      ? 'token'
      : undefined;
  return {
    ...(who !== undefined && { actor: String(who) }),
    route: `${request.method} ${request.originalUrl ?? request.url}`,
  };
}
