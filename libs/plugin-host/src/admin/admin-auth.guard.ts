import {
  Inject,
  Injectable,
  NotFoundException,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import { PLUGIN_ADMIN_OPTIONS, type PluginAdminOptions } from './admin-options.js';

const BEARER = /^bearer ([\x21-\x7e]+)$/i;

/** The admin routes' gate: the host's own guard, or a bearer token compared in constant time. */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(
    @Inject(PLUGIN_ADMIN_OPTIONS) private readonly options: PluginAdminOptions,
    private readonly moduleRef: ModuleRef,
  ) {
    if (options.token !== undefined) this.expected = digest(options.token);
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.options.enabled === false) {
      // As Nest answers a route that does not exist.
      const request = context.switchToHttp().getRequest<{ method?: string; originalUrl?: string; url?: string }>();
      throw new NotFoundException(`Cannot ${request.method} ${request.originalUrl ?? request.url}`);
    }
    if (this.options.guard)
      return this.moduleRef.get(this.options.guard, { strict: false }).canActivate(context) as
        boolean | Promise<boolean>;
    const header = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers.authorization;
    // Exactly `Bearer <token>`: the scheme (in any case), one space, the token, nothing before or after.
    const token = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
    // Digests have one length, so the comparison takes the same time whatever was sent.
    if (token === undefined || this.expected === undefined || !timingSafeEqual(digest(token), this.expected)) {
      throw new UnauthorizedException('a valid "Authorization: Bearer <token>" header is required');
    }
    return true;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
