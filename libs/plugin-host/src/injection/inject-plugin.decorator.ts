import { Inject } from '@nestjs/common';
import type { PluginTypeName } from '../manifest/index.js';
import { getPluginToken, getPluginTypeToken } from './plugin-tokens.js';

// Names and types asked for anywhere in the app. PluginModule provides a token for
// each, so a plugin found late (a provider deep in the module graph) can still be injected by name.
const requestedNames = new Set<string>();
const requestedTypes = new Set<string>();

/**
 * Injects the plugin named `name`. The value is the live plugin: calls cost what
 * direct calls cost. While the plugin is disabled or failed its methods throw
 * `PLUGIN_DISABLED`; when no plugin has that name they throw `PLUGIN_NOT_FOUND`.
 *
 * @example
 * constructor(@InjectPlugin('pyod') private readonly pyod: AlgorithmPlugin) {}
 */
export function InjectPlugin(name: string): PropertyDecorator & ParameterDecorator {
  requestedNames.add(name);
  return Inject(getPluginToken(name));
}

/**
 * Injects the enabled plugins of `type`, in dependency order. The array is live:
 * it always holds exactly the plugins of that type that are enabled now.
 *
 * @example
 * constructor(@InjectPlugins(PluginType.ALGORITHM) private readonly algorithms: AlgorithmPlugin[]) {}
 */
export function InjectPlugins(type: PluginTypeName): PropertyDecorator & ParameterDecorator {
  requestedTypes.add(type);
  return Inject(getPluginTypeToken(type));
}

export function requestedPluginNames(): ReadonlySet<string> {
  return requestedNames;
}

export function requestedPluginTypes(): ReadonlySet<string> {
  return requestedTypes;
}
