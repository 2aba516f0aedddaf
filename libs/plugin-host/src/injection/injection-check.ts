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
    for (const injection of pluginInjections(consumer)) {
      injections.push(injection);
      if (!provided.has(injection.token)) problems.push(undeclared(consumer.name, injection));
    }
  }
  if (problems.length > 0)
    throw new PluginError(PluginErrorCode.NOT_FOUND, problems.join(' '), { details: { undeclared: problems.length } });
  return injections;
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
