import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import type { PluginMetadata } from './plugin-metadata.interface.js';

const PLUGIN_METADATA = 'nestjs-plugin-host:plugin';

/**
 * Marks a class as a plugin. Nothing is checked here (a bad declaration must not
 * crash the import of the file); the host validates it at discovery and reports
 * `PLUGIN_MANIFEST_INVALID` with every problem.
 *
 * @example
 * @Plugin({ name: 'pyod', type: 'algorithm', version: '2.0.0', compatibility: '^0.1.0' })
 * export class PyodPlugin implements AlgorithmPlugin { ... }
 */
export function Plugin<C extends object>(metadata: PluginMetadata<C>): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(PLUGIN_METADATA, metadata, target);
    Injectable()(target);
  };
}

/** The metadata of a `@Plugin()` class itself (not inherited from a parent class). */
export function getPluginMetadata(target: unknown): PluginMetadata | undefined {
  if (typeof target !== 'function') return undefined;
  return Reflect.getOwnMetadata(PLUGIN_METADATA, target) as PluginMetadata | undefined;
}
