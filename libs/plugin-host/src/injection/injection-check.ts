import type { Type } from '@nestjs/common';
import type { DiscoveryService } from '@nestjs/core';
import { PluginError } from '../errors/plugin-error.js';
import { PluginErrorCode } from '../errors/plugin-error-code.js';
import { pluginInjections, type PluginInjection } from './inject-plugin.decorator.js';

/**
 * The `@InjectPlugin()` / `@InjectPlugins()` of the app's providers and controllers, once each is checked: every
 * token they ask for must be provided by some module (PluginModule's own, or a `PluginModule.forFeature`). Throws
 * `PLUGIN_NOT_FOUND` listing each one that is not, with the line that declares it.
 */
export function checkPluginInjections(discovery: DiscoveryService): PluginInjection[] {
  const wrappers = [...discovery.getProviders(), ...discovery.getControllers()];
  const provided = new Set(wrappers.map((wrapper) => wrapper.token));
  const injections: PluginInjection[] = [];
  const problems: string[] = [];
  for (const wrapper of wrappers) {
    // A class provider or controller; a factory's metatype is its function, not a class with decorators.
    if (typeof wrapper.metatype !== 'function' || wrapper.inject) continue;
    const consumer = wrapper.metatype as Type<unknown>;
    const host = wrapper.host as NestModule | undefined;
    for (const injection of pluginInjections(consumer)) {
      injections.push(injection);
      if (!provided.has(injection.token)) problems.push(undeclared(consumer.name, injection));
      // Provided somewhere but not in the consumer's module's reach: @Optional() would hand it `undefined`.
      else if (host && !visible(host, injection.token)) problems.push(outOfReach(consumer.name, host, injection));
    }
  }
  if (problems.length > 0)
    throw new PluginError(PluginErrorCode.NOT_FOUND, problems.join(' '), { details: { undeclared: problems.length } });
  return injections;
}

/** What of Nest's module (`InstanceWrapper.host`) the check reads: its public getters. */
interface NestModule {
  readonly providers: Map<unknown, unknown>;
  readonly imports: Set<NestModule>;
  readonly exports: Set<unknown>;
  readonly metatype?: { name?: string };
}

/**
 * Whether Nest resolves `token` for a provider of `host`: its own provider, or one an imported module exports (itself,
 * or through a module it imports and re-exports). Global modules are among every module's imports (Nest binds them).
 */
function visible(host: NestModule, token: unknown): boolean {
  return host.providers.has(token) || [...host.imports].some((imported) => exported(imported, token, new Set()));
}

function exported(module: NestModule, token: unknown, seen: Set<NestModule>): boolean {
  if (seen.has(module)) return false;
  seen.add(module);
  if (module.exports.has(token) && module.providers.has(token)) return true;
  return [...module.imports].some(
    (imported) =>
      (module.exports.has(token) || module.exports.has(imported.metatype)) && exported(imported, token, seen),
  );
}

function outOfReach(consumer: string, host: NestModule, { kind, value }: PluginInjection): string {
  const [decorator, feature] =
    kind === 'plugin' ? ['InjectPlugin', `plugins: ['${value}']`] : ['InjectPlugins', `types: ['${value}']`];
  const module = host.metatype?.name ?? 'its module';
  return (
    `${consumer} uses @${decorator}('${value}'), which another module declares but ${module} does not reach. Add ` +
    `imports: [PluginModule.forFeature({ ${feature} })] to ${module} (or keep PluginModule global, its default).`
  );
}

function undeclared(consumer: string, { kind, value }: PluginInjection): string {
  const [decorator, feature, what] =
    kind === 'plugin'
      ? ['InjectPlugin', `plugins: ['${value}']`, `no plugin "${value}" is`]
      : ['InjectPlugins', `types: ['${value}']`, `no plugin of type "${value}" is`];
  return (
    `${consumer} uses @${decorator}('${value}'), but ${what} known at boot (listed in PluginModule.forRoot({ plugins }) or found in a ` +
    `package manifest). If it is a @Plugin() provider or arrives later, declare it in the module that provides ${consumer}: ` +
    `imports: [PluginModule.forFeature({ ${feature} })]. Otherwise fix the ${kind === 'plugin' ? 'name' : 'type'}.`
  );
}
