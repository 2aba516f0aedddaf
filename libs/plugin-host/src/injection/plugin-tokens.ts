import type { PluginTypeName } from '../manifest/index.js';

/** The DI token of one plugin by name; what `@InjectPlugin(name)` injects (isolation/runtime/plugin-routes.mjs spells it too). */
export function getPluginToken(name: string): string {
  return `nestjs-plugin-host:plugin:${name}`;
}

/** The DI token of every enabled plugin of a type; what `@InjectPlugins(type)` injects. */
export function getPluginTypeToken(type: PluginTypeName): string {
  return `nestjs-plugin-host:plugins-of-type:${type}`;
}
