import { Inject, Optional } from '@nestjs/common';
import type { PluginTypeName } from '../manifest/plugin-type.js';
import { getPluginToken, getPluginTypeToken } from './plugin-tokens.js';

/** Class metadata: what a class asks for with `@InjectPlugin()` / `@InjectPlugins()` (checked at bootstrap). */
const INJECTED_PLUGINS = 'nestjs-plugin-host:injected-plugins';

/** One `@InjectPlugin(name)` or `@InjectPlugins(type)` on a class. */
export interface PluginInjection {
  kind: 'plugin' | 'type';
  /** The plugin name, or the plugin type. */
  value: string;
  token: string;
}

/**
 * Injects the plugin named `name`. The value is the live plugin: calls cost what
 * direct calls cost. While the plugin is disabled or failed its methods throw
 * `PLUGIN_DISABLED`; when no plugin has that name they throw `PLUGIN_NOT_FOUND`.
 *
 * The name must be known when the app boots: a plugin in `PluginModule.forRoot({ plugins })`, a discovered
 * package, or a name declared with `PluginModule.forFeature({ plugins: [name] })` (a `@Plugin()` provider, or a
 * plugin installed later). Bootstrap fails with `PLUGIN_NOT_FOUND` otherwise, saying so.
 *
 * @example
 * constructor(@InjectPlugin('pyod') private readonly pyod: AlgorithmPlugin) {}
 */
export function InjectPlugin(name: string): PropertyDecorator & ParameterDecorator {
  return injection({ kind: 'plugin', value: name, token: getPluginToken(name) });
}

/**
 * Injects the enabled plugins of `type`, in dependency order. The array is live:
 * it always holds exactly the plugins of that type that are enabled now.
 *
 * The type must be known when the app boots, as for `@InjectPlugin` (`PluginModule.forFeature({ types: [type] })`
 * declares one).
 *
 * @example
 * constructor(@InjectPlugins('algorithm') private readonly algorithms: AlgorithmPlugin[]) {}
 */
export function InjectPlugins(type: PluginTypeName): PropertyDecorator & ParameterDecorator {
  return injection({ kind: 'type', value: type, token: getPluginTypeToken(type) });
}

/**
 * `@Inject(token)`, optional to Nest, and recorded on the class: a token no module provides is reported by the
 * host at bootstrap as `PLUGIN_NOT_FOUND` with the fix, rather than as Nest's unresolved-dependency error. The
 * record is the class's own metadata: nothing process-wide.
 */
function injection(wanted: PluginInjection): PropertyDecorator & ParameterDecorator {
  return (target: object, key: string | symbol | undefined, index?: number) => {
    const owner = (typeof target === 'function' ? target : target.constructor) as object;
    const own: PluginInjection[] = Reflect.getOwnMetadata(INJECTED_PLUGINS, owner) ?? [];
    Reflect.defineMetadata(INJECTED_PLUGINS, [...own, wanted], owner);
    Inject(wanted.token)(target, key as string | symbol, index as number);
    Optional()(target, key as string | symbol, index as number);
  };
}

/** The plugin injections `target` and its parent classes declare. */
export function pluginInjections(target: object): PluginInjection[] {
  const found: PluginInjection[] = [];
  for (let owner: object | null = target; owner && owner !== Function.prototype; owner = Object.getPrototypeOf(owner))
    found.push(...((Reflect.getOwnMetadata(INJECTED_PLUGINS, owner) as PluginInjection[] | undefined) ?? []));
  return found;
}
