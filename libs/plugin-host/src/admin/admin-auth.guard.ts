import { Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import { PLUGIN_ADMIN_OPTIONS, type PluginAdminOptions } from './admin-options.js';

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
    if (this.options.guard) return this.moduleRef.get(this.options.guard, { strict: false }).canActivate(context) as boolean | Promise<boolean>;
    const header = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers.authorization ?? '';
    const [scheme, token] = header.split(' ');
    // Digests have one length, so the comparison takes the same time whatever was sent.
    if (scheme?.toLowerCase() !== 'bearer' || !token || !timingSafeEqual(digest(token), this.expected!)) {
      throw new UnauthorizedException('a valid "Authorization: Bearer <token>" header is required');
    }
    return true;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
