import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsNumber, IsObject, IsOptional, IsString, Max, Min, ValidateNested } from 'class-validator';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PluginError } from '../errors/index.js';
import { coerceEnvValue } from './env-config.js';
import { resolvePluginConfig } from './plugin-config.js';
import { toUpperSnake } from './env-names.js';

class Limits {
  @IsNumber()
  maxRows = 1000;
}

class SourceConfig {
  @IsString()
  path = './data.csv';

  @IsNumber()
  @Min(0)
  @Max(1)
  sampleRate = 1;

  @IsBoolean()
  header = true;

  @IsIn(['comma', 'tab'])
  delimiter = 'comma';

  @IsOptional()
  @IsObject()
  options?: Record<string, unknown>;

  @ValidateNested()
  @Type(() => Limits)
  limits = new Limits();
}

describe('resolvePluginConfig', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'plugin-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const resolve = (options: unknown, env: Record<string, string> = {}) =>
    resolvePluginConfig({ plugin: 'data-source', schema: SourceConfig, options, env, otherPlugins: ['data-source'] });
  const failure = async (promise: Promise<unknown>): Promise<PluginError> => {
    try {
      await promise;
    } catch (error) {
      return error as PluginError;
    }
    throw new Error('expected the config to be rejected');
  };

  it('starts from the property initialisers of the schema', async () => {
    const { config } = await resolve(undefined);
    expect(config).toEqual(new SourceConfig());
  });

  it('lets module options override defaults, merging nested objects', async () => {
    const { config, sources } = await resolve({ sampleRate: 0.5, limits: { maxRows: 10 } });
    expect(config).toMatchObject({ sampleRate: 0.5, path: './data.csv', limits: { maxRows: 10 } });
    expect(sources.get('sampleRate')).toBe('module options config["data-source"]');
    expect(sources.get('path')).toBe('defaults of SourceConfig');
  });

  it('lets the JSON file named by PLUGIN_<NAME>_CONFIG override module options', async () => {
    const path = file('source.json', JSON.stringify({ sampleRate: 0.25, delimiter: 'tab' }));
    const { config, sources } = await resolve({ sampleRate: 0.5 }, { PLUGIN_DATA_SOURCE_CONFIG: path });
    expect(config).toMatchObject({ sampleRate: 0.25, delimiter: 'tab' });
    expect(sources.get('sampleRate')).toBe(`file ${path} (PLUGIN_DATA_SOURCE_CONFIG)`);
  });

  it('lets env vars PLUGIN_<NAME>_<KEY> override the file, coerced to the property type', async () => {
    const path = file('source2.json', JSON.stringify({ sampleRate: 0.25 }));
    const { config } = await resolve(
      {},
      {
        PLUGIN_DATA_SOURCE_CONFIG: path,
        PLUGIN_DATA_SOURCE_SAMPLE_RATE: '0.75',
        PLUGIN_DATA_SOURCE_HEADER: 'false',
        PLUGIN_DATA_SOURCE_PATH: '123',
        PLUGIN_DATA_SOURCE_OPTIONS: '{"quote":"\'"}',
        PLUGIN_DATA_SOURCE_LIMITS: '{"maxRows":5}',
      },
    );
    expect(config).toMatchObject({
      sampleRate: 0.75,
      header: false,
      path: '123',
      options: { quote: "'" },
      limits: { maxRows: 5 },
    });
  });

  it('lists every failing property with its constraint and the source it came from', async () => {
    const path = file('bad.json', JSON.stringify({ delimiter: 'pipe' }));
    const error = await failure(
      resolve(
        { sampleRate: 2, limits: { maxRows: 'many' } },
        { PLUGIN_DATA_SOURCE_CONFIG: path, PLUGIN_DATA_SOURCE_HEADER: 'maybe' },
      ),
    );
    expect(error).toBeInstanceOf(PluginError);
    expect(error.code).toBe('PLUGIN_CONFIG_INVALID');
    expect(error.message).toContain(
      'sampleRate = 2 from module options config["data-source"]: sampleRate must not be greater than 1 [max]',
    );
    expect(error.message).toContain(
      `delimiter = "pipe" from file ${path} (PLUGIN_DATA_SOURCE_CONFIG): delimiter must be one of the following values: comma, tab [isIn]`,
    );
    expect(error.message).toContain(
      'header = "maybe" from env PLUGIN_DATA_SOURCE_HEADER: header must be a boolean value [isBoolean]',
    );
    expect(error.message).toContain('limits.maxRows = "many" from module options config["data-source"]');
    expect(error.details?.properties).toHaveLength(4);
  });

  it('rejects unknown keys', async () => {
    const error = await failure(resolve({ delimeter: 'tab' }));
    expect(error.message).toContain(
      'delimeter = "tab" from module options config["data-source"]: unknown key (not in the config schema)',
    );
  });

  it('says which file and env var when the config file is missing or not JSON', async () => {
    const missing = await failure(resolve({}, { PLUGIN_DATA_SOURCE_CONFIG: join(dir, 'nope.json') }));
    expect(missing.message).toMatch(/file .*nope\.json \(PLUGIN_DATA_SOURCE_CONFIG\) cannot be read/);
    const broken = await failure(resolve({}, { PLUGIN_DATA_SOURCE_CONFIG: file('broken.json', '{ sampleRate: ') }));
    expect(broken.message).toMatch(/broken\.json \(PLUGIN_DATA_SOURCE_CONFIG\) is not valid JSON/);
    const list = await failure(resolve({}, { PLUGIN_DATA_SOURCE_CONFIG: file('list.json', '[1]') }));
    expect(list.message).toContain('must hold a JSON object of config keys');
  });

  it("warns about a PLUGIN_<NAME>_* variable that sets no key, but not about another plugin's", async () => {
    const { warnings } = await resolvePluginConfig({
      plugin: 'data',
      options: { a: 1 },
      env: { PLUGIN_DATA_B: '1', PLUGIN_DATA_SOURCE_PATH: 'x', PLUGIN_DATA_A: '2' },
      otherPlugins: ['data', 'data-source'],
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('env PLUGIN_DATA_B sets no config key of plugin "data"');
  });

  it('passes config through unvalidated when the plugin has no schema', async () => {
    const { config } = await resolvePluginConfig({
      plugin: 'free',
      options: { anything: [1, 2] },
      env: { PLUGIN_FREE_ANYTHING: '[3]' },
    });
    expect(config).toEqual({ anything: [3] });
  });
});

describe('coerceEnvValue', () => {
  it('follows the design type when there is one', () => {
    expect(coerceEnvValue('42', Number)).toBe(42);
    expect(coerceEnvValue('42', String)).toBe('42');
    expect(coerceEnvValue('yes', Boolean)).toBe(true);
    expect(coerceEnvValue('abc', Number)).toBe('abc');
  });

  it('recognises booleans, numbers and JSON without one', () => {
    expect(coerceEnvValue('true')).toBe(true);
    expect(coerceEnvValue('1.5')).toBe(1.5);
    expect(coerceEnvValue('{"a":1}')).toEqual({ a: 1 });
    expect(coerceEnvValue('[1,2]')).toEqual([1, 2]);
    expect(coerceEnvValue('hello')).toBe('hello');
  });
});

describe('toUpperSnake', () => {
  it('turns plugin names and camelCase keys into env var parts', () => {
    expect(toUpperSnake('data-source')).toBe('DATA_SOURCE');
    expect(toUpperSnake('nEstimators')).toBe('N_ESTIMATORS');
    expect(toUpperSnake('pyod')).toBe('PYOD');
    expect(toUpperSnake('my.plugin_v2')).toBe('MY_PLUGIN_V2');
  });
});
