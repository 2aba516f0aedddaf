import { Injectable, type Type } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import { pluginInjections } from './inject-plugin.decorator.js';

/** The metadata `@Injectable()` gives a class, read off a probe class: decorations that inject nothing. */
const INJECTABLE_KEYS: readonly unknown[] = (() => {
  class Probe {}
  Injectable()(Probe);
  return Reflect.getMetadataKeys(Probe);
})();
/** Ours that inject nothing (`@Plugin()`, `@OnHook()`); `@InjectPlugin` is not among them. */
const PLUGIN_KEYS = ['nestjs-plugin-host:plugin', 'nestjs-plugin-host:hooks'];

/**
 * Builds a plugin class. One that injects nothing is constructed directly: Nest's `ModuleRef.create` costs about
 * 25 µs a class, which hosts with hundreds of plugins feel at boot (`npm run bench`, scenario bootstrap). "Injects
 * nothing" is decided without knowing Nest's metadata keys: no constructor parameters, and no class metadata beyond
 * what `@Injectable()`, `@Plugin()`, `@OnHook()` and TypeScript's `design:*` leave. Anything else (a property
 * `@Inject()`, `@InjectPlugin()`, another library's decorator) goes through Nest's injector.
 */
export function instantiatePlugin(moduleRef: ModuleRef, pluginClass: Type<object>): object | Promise<object> {
  // Plugin references are made from the registry, which is what is being built while plugins load: Nest would wait
  // for it forever.
  const [injection] = pluginInjections(pluginClass);
  if (injection)
    throw new Error(
      `a plugin class cannot use @${injection.kind === 'plugin' ? 'InjectPlugin' : 'InjectPlugins'}('${injection.value}'): plugins are built before ` +
        `the references exist. Declare the plugin in dependencies and get it in initialize from PluginManager ` +
        `(@Plugin({ inject: [PluginManager] }), the host's expose: [PluginManager], then ctx.get(PluginManager).get(name))`,
    );
  const parameters = (Reflect.getMetadata('design:paramtypes', pluginClass) as unknown[] | undefined)?.length ?? 0;
  const decorated = Reflect.getMetadataKeys(pluginClass).some(
    (key) =>
      !(typeof key === 'string' && key.startsWith('design:')) &&
      !INJECTABLE_KEYS.includes(key) &&
      !PLUGIN_KEYS.includes(key as string),
  );
  return pluginClass.length > 0 || parameters > 0 || decorated ? moduleRef.create(pluginClass) : new pluginClass();
}
