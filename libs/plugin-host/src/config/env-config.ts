import type { Type } from '@nestjs/common';
import { classValidator } from '../toolkit/class-validator.js';
import { configEnvPrefix, configFileEnvName, toUpperSnake } from './env-names.js';
import type { ConfigSources } from './plugin-config.js';

type PlainObject = Record<string, unknown>;

/**
 * The plugin's `PLUGIN_<NAME>_<KEY>` variables, each coerced to the type of what it replaces; a variable under its
 * prefix that sets no config key is a warning (a typo would otherwise be silently ignored).
 */
export function readEnv(
  plugin: string,
  schema: Type<object> | undefined,
  current: PlainObject,
  input: ConfigSources,
  warnings: string[],
): Map<string, { value: unknown; label: string }> {
  const keys = knownKeys(schema, current);
  const prefix = configEnvPrefix(plugin);
  const found = new Map<string, { value: unknown; label: string }>();
  const claimed = new Set<string>([configFileEnvName(plugin)]);
  // Another plugin's longer prefix ("data-source" under "data"): its variables are its own. Computed only when
  // a variable is found or left over: with many plugins that is the rare case.
  let longerPrefixes: string[] | undefined;
  const otherPlugins = (): string[] =>
    (longerPrefixes ??= (input.otherPlugins ?? [])
      .map(configEnvPrefix)
      .filter((p) => p.length > prefix.length && p.startsWith(prefix)));
  for (const key of keys) {
    const variable = prefix + toUpperSnake(key);
    const raw = input.env[variable];
    if (raw === undefined || otherPlugins().some((p) => variable.startsWith(p))) continue;
    claimed.add(variable);
    found.set(key, { value: coerceEnvValue(raw, typeHint(schema, key, current[key])), label: `env ${variable}` });
  }
  // A PLUGIN_<NAME>_* var that sets nothing is most likely a typo: say so. (Other plugins' prefixes are
  // computed only when there is such a var: with many plugins that is the rare case.)
  for (const variable of Object.keys(input.env)) {
    if (!variable.startsWith(prefix) || claimed.has(variable)) continue;
    if (otherPlugins().some((p) => variable.startsWith(p))) continue;
    warnings.push(
      `env ${variable} sets no config key of plugin "${plugin}" (keys: ${keys.map((k) => prefix + toUpperSnake(k)).join(', ') || 'none'}); it is ignored.`,
    );
  }
  return found;
}

/**
 * What an env var's text should become: the type of the value it replaces (the
 * default, or what options or the file set), else the property's declared type
 * (`design:type`, which is `Object` for an un-annotated property, so it comes second).
 */
function typeHint(schema: Type<object> | undefined, key: string, current: unknown): unknown {
  if (typeof current === 'number') return Number;
  if (typeof current === 'boolean') return Boolean;
  if (typeof current === 'string') return String;
  if (Array.isArray(current)) return Array;
  if (current !== null && typeof current === 'object') return Object;
  return schema ? (Reflect.getMetadata('design:type', schema.prototype as object, key) as unknown) : undefined;
}

/**
 * Env vars are strings: make them what the property is. With a type hint
 * (`typeHint`) the type decides; without one, `true`/`false`, numbers and JSON
 * objects/arrays are recognised.
 */
export function coerceEnvValue(raw: string, designType?: unknown): unknown {
  const text = raw.trim();
  if (designType === String) return raw;
  if (designType === Number) return text !== '' && Number.isFinite(Number(text)) ? Number(text) : raw;
  if (designType === Boolean) {
    if (/^(true|1|yes|on)$/i.test(text)) return true;
    if (/^(false|0|no|off)$/i.test(text)) return false;
    return raw;
  }
  if (designType === Array || designType === Object || designType === undefined || typeof designType === 'function') {
    if (/^(true|false)$/.test(text)) return text === 'true';
    if (text !== '' && Number.isFinite(Number(text)) && designType !== Array && designType !== Object)
      return Number(text);
    if (/^[[{"]/.test(text)) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return raw; // validation will say what is wrong with it
      }
    }
  }
  return raw;
}

/** The config keys a plugin has: the schema's properties, or what the other sources set. */
function knownKeys(schema: Type<object> | undefined, merged: PlainObject): string[] {
  const keys = new Set(Object.keys(merged));
  if (schema) {
    for (const meta of classValidator().getMetadataStorage().getTargetValidationMetadatas(schema, '', true, false))
      keys.add(meta.propertyName);
  }
  return [...keys];
}
