import 'reflect-metadata';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Type } from '@nestjs/common';
import { PluginError, PluginErrorCode, describeError } from '../errors/index.js';
import { classTransformer, classValidator } from '../toolkit/class-validator.js';
import { jsonShapeProblem, PROTOTYPE_KEYS } from '../toolkit/json-shape.js';
import { invalidConfig, flatten } from './config-errors.js';
import { readEnv } from './env-config.js';
import { configFileEnvName } from './env-names.js';

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
