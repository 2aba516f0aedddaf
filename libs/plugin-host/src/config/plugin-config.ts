import 'reflect-metadata';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Type } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { PluginError, PluginErrorCode, describeError } from '../errors/index.js';
import { classTransformer, classValidator } from '../toolkit/class-validator.js';
import { jsonShapeProblem, PROTOTYPE_KEYS } from '../toolkit/json-shape.js';
import { configEnvPrefix, configFileEnvName, toUpperSnake } from './env-names.js';

type PlainObject = Record<string, unknown>;

/** The largest config file read (`PLUGIN_<NAME>_CONFIG`). */
const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/** Where one plugin's config comes from, lowest first: its schema's defaults, the module option, a file, env vars. */
export interface ConfigSources {
  /** The plugin's name. */
  plugin: string;
  /** A class-validator decorated class; property initialisers are the defaults. */
  schema?: Type<object>;
  /** `config[name]` from the module options. */
  options?: unknown;
  /** Where `PLUGIN_<NAME>_*` are read from. */
  env: Readonly<Record<string, string | undefined>>;
  /** Every other plugin's name, so `PLUGIN_DATA_*` is not mistaken for plugin `data-source`'s vars. */
  otherPlugins?: readonly string[];
  /** Changes made at runtime (`PluginManager.updateConfig`), merged over everything else. */
  updates?: unknown;
}

/** A validated config, where each value came from, and what was ignored on the way. */
export interface ResolvedConfig {
  config: object;
  /** For each config path, the source its value came from. */
  sources: Map<string, string>;
  warnings: string[];
}

/**
 * Builds a plugin's config from, lowest to highest precedence: the schema's
 * defaults < `config[name]` in the module options < the JSON file named by
 * `PLUGIN_<NAME>_CONFIG` < env vars `PLUGIN_<NAME>_<KEY>` < runtime updates. Objects merge deeply;
 * anything else is replaced. With a schema the result is validated
 * (class-validator, unknown keys rejected) and returned as a schema instance.
 *
 * @throws PluginError `PLUGIN_CONFIG_INVALID` listing every failing property, its constraint and its source
 */
export async function resolvePluginConfig(input: ConfigSources): Promise<ResolvedConfig> {
  const { plugin, schema } = input;
  const sources = new Map<string, string>();
  const warnings: string[] = [];
  const merged: PlainObject = {};

  if (schema) mergeInto(merged, { ...(new schema() as PlainObject) }, `defaults of ${schema.name}`, sources);
  if (input.options !== undefined) {
    mergeInto(
      merged,
      asObject(input.options, plugin, `module options config["${plugin}"]`),
      `module options config["${plugin}"]`,
      sources,
    );
  }
  const file = input.env[configFileEnvName(plugin)] ? await readConfigFile(plugin, input.env) : undefined; // no await (and no promise) without a file
  if (file) mergeInto(merged, file.values, file.label, sources);
  const fromEnv = readEnv(plugin, schema, merged, input, warnings);
  for (const [key, { value, label }] of fromEnv) mergeInto(merged, { [key]: value }, label, sources);
  if (input.updates !== undefined)
    mergeInto(merged, asObject(input.updates, plugin, 'the runtime update'), 'PluginManager.updateConfig', sources);

  if (!schema) return { config: merged, sources, warnings };

  const config = classTransformer().plainToInstance(schema, merged) as object;
  const errors = await classValidator().validate(config, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) throw invalidConfig(plugin, flatten(errors), merged, sources);
  return { config, sources, warnings };
}

/** `patch` merged deeply over `base` (neither is changed): how runtime config updates add up. */
export function mergeConfigPatch(
  base: Record<string, unknown> | undefined,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  const merged: PlainObject = {};
  const ignored = new Map<string, string>();
  if (base) mergeInto(merged, base, 'the runtime config update', ignored);
  mergeInto(merged, patch, 'the runtime config update', ignored);
  return merged;
}

function isObject(value: unknown): value is PlainObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function asObject(value: unknown, plugin: string, label: string): PlainObject {
  if (isObject(value)) return value;
  throw new PluginError(
    PluginErrorCode.CONFIG_INVALID,
    `plugin "${plugin}" has invalid config: ${label} must be an object of config keys, got ${JSON.stringify(value)}.`,
    { plugin, phase: 'configure' },
  );
}

function mergeInto(
  target: PlainObject,
  patch: PlainObject,
  label: string,
  sources: Map<string, string>,
  prefix = '',
): void {
  for (const [key, value] of Object.entries(patch)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (PROTOTYPE_KEYS.has(key)) {
      throw new PluginError(
        PluginErrorCode.CONFIG_INVALID,
        `${label} sets "${path}": a prototype key is never a config key. Remove it.`,
        {
          phase: 'configure',
          details: { path, source: label },
        },
      );
    }
    if (isObject(value) && isObject(target[key])) {
      target[key] = { ...target[key] }; // never write into the defaults' or options' own objects
      mergeInto(target[key] as PlainObject, value, label, sources, path);
    } else {
      target[key] = value;
      for (const known of sources.keys()) if (known.startsWith(`${path}.`)) sources.delete(known);
      sources.set(path, label);
    }
  }
}

async function readConfigFile(
  plugin: string,
  env: ConfigSources['env'],
): Promise<{ values: PlainObject; label: string } | undefined> {
  const variable = configFileEnvName(plugin);
  const file = env[variable];
  if (!file) return undefined;
  const label = `file ${file} (${variable})`;
  const fail = (what: string): PluginError =>
    new PluginError(
      PluginErrorCode.CONFIG_INVALID,
      `plugin "${plugin}" has invalid config: ${label} ${what}. Fix the file, or unset ${variable}.`,
      {
        plugin,
        phase: 'configure',
        details: { file, variable },
      },
    );
  const read = await readSmallFile(file, MAX_CONFIG_FILE_BYTES, CONFIG_READ_TIMEOUT_MS);
  if (typeof read !== 'string') {
    throw fail(
      read.problem === 'not-a-file'
        ? 'is not a regular file (a folder, FIFO, socket or device is never read)'
        : read.problem === 'too-large'
          ? `is over ${MAX_CONFIG_FILE_BYTES / 1024 / 1024} MB; config files are limited to that and are not read further`
          : read.problem === 'timeout'
            ? `could not be read within ${CONFIG_READ_TIMEOUT_MS / 1000} s`
            : `cannot be read (${read.problem})`,
    );
  }
  let values: unknown;
  try {
    values = JSON.parse(read);
  } catch (error) {
    throw fail(`is not valid JSON (${describeError(error)})`);
  }
  if (!isObject(values)) throw fail('must hold a JSON object of config keys');
  const shape = jsonShapeProblem(values); // before the merge, which recurses
  if (shape) throw fail(shape);
  return { values, label };
}

const CONFIG_READ_TIMEOUT_MS = 5000;

/**
 * Reads a regular file as UTF-8, at most `maxBytes` (counted while reading: a
 * file's reported size is not trusted, /proc files report 0) and within
 * `timeoutMs`. Anything but a regular file is refused before a byte is read; it
 * is opened non-blocking, so a FIFO without a writer cannot hang the open.
 */
async function readSmallFile(
  path: string,
  maxBytes: number,
  timeoutMs: number,
): Promise<string | { problem: 'not-a-file' | 'too-large' | 'timeout' | string }> {
  let handle: FileHandle | undefined;
  let timer: NodeJS.Timeout | undefined;
  const reading = (async () => {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!(await handle.stat()).isFile()) return { problem: 'not-a-file' as const };
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(64 * 1024, maxBytes + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length);
      if (bytesRead === 0) return Buffer.concat(chunks, total).toString('utf8');
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) return { problem: 'too-large' as const };
    }
  })();
  const timeout = new Promise<{ problem: 'timeout' }>((resolve) => {
    timer = setTimeout(() => resolve({ problem: 'timeout' }), timeoutMs);
  });
  try {
    return await Promise.race([reading, timeout]);
  } catch (error) {
    return { problem: describeError(error) };
  } finally {
    clearTimeout(timer);
    reading.finally(() => handle?.close()).catch(() => undefined);
  }
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

function readEnv(
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

interface FailingProperty {
  path: string;
  constraints: Record<string, string>;
}

function flatten(errors: ValidationError[], prefix = ''): FailingProperty[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = error.constraints ? [{ path, constraints: error.constraints }] : [];
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

function valueAt(merged: PlainObject, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (value, key) => (isObject(value) || Array.isArray(value) ? (value as PlainObject)[key] : undefined),
      merged,
    );
}

function sourceOf(path: string, sources: Map<string, string>): string {
  for (let p = path; p !== ''; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
    const source = sources.get(p);
    if (source) return source;
  }
  return 'defaults';
}

function invalidConfig(
  plugin: string,
  failing: FailingProperty[],
  merged: PlainObject,
  sources: Map<string, string>,
): PluginError {
  const lines = failing.map(({ path, constraints }) => {
    const unknown = 'whitelistValidation' in constraints;
    const what = unknown
      ? 'unknown key (not in the config schema)'
      : Object.entries(constraints)
          .map(([name, message]) => `${message} [${name}]`)
          .join(', ');
    return `${path} = ${JSON.stringify(valueAt(merged, path))} from ${sourceOf(path, sources)}: ${what}`;
  });
  return new PluginError(
    PluginErrorCode.CONFIG_INVALID,
    `plugin "${plugin}" has invalid config: ${lines.join('; ')}. Fix these values at their source, or remove unknown keys.`,
    {
      plugin,
      phase: 'configure',
      details: {
        properties: failing.map(({ path, constraints }) => ({ path, constraints, source: sourceOf(path, sources) })),
      },
    },
  );
}
