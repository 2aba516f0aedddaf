import type { InjectionToken } from '@nestjs/common';
import { PluginError } from '../errors/plugin-error.js';
import { PluginErrorCode } from '../errors/plugin-error-code.js';
import type { PluginMetadata } from '../manifest/plugin-metadata.interface.js';

/** A token by name: a class's name, or the string or symbol as text (what crosses to an isolate). */
export function tokenName(token: unknown): string {
  return typeof token === 'function' ? token.name : String(token);
}

/**
 * The host provider behind `ctx.get(token)`: one the plugin declared in `@Plugin({ inject })` and the host lists in
 * `expose`, matched by identity or by name (an isolate sends names). Anything else is `PLUGIN_ACCESS_DENIED`, saying
 * which of the two is missing. One check for in-process plugins and isolates alike.
 */
export function exposedToken(
  plugin: string,
  metadata: Pick<PluginMetadata, 'inject'>,
  expose: readonly InjectionToken[],
  token: unknown,
): InjectionToken {
  const name = tokenName(token);
  const matches = (candidate: unknown) => candidate === token || tokenName(candidate) === name;
  const declared = (metadata.inject ?? []).some(matches);
  const exposed = expose.find(matches);
  if (declared && exposed !== undefined) return exposed;
  throw new PluginError(
    PluginErrorCode.ACCESS_DENIED,
    declared
      ? `plugin "${plugin}" asked for "${name}", which the host does not expose. Add it to the module option expose if the plugin may use it.`
      : `plugin "${plugin}" asked for "${name}" but does not declare it in @Plugin({ inject }). Declare it (and the host must expose it).`,
    { plugin },
  );
}
