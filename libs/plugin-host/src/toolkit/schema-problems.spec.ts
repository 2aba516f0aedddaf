import { describe, expect, it } from '@jest/globals';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { schemaProblems } from './schema-problems.js';

class Config {
  @IsIn(['a', 'b'])
  mode = 'a';

  @IsInt()
  @Min(1)
  @Max(100)
  size = 10;

  @IsOptional()
  @IsString()
  secretPath?: string;
}

describe('schemaProblems', () => {
  it('holds values to the schema’s own rules and caps', () => {
    expect(schemaProblems(Config, { mode: 'b', size: 100 }, { keys: ['mode', 'size'] })).toEqual([]);
    expect(schemaProblems(Config, { size: 101 }, { keys: ['mode', 'size'] })).toEqual([
      'size must not be greater than 100',
    ]);
    expect(schemaProblems(Config, { mode: 'c', size: '5' })).toEqual([
      'mode must be one of the following values: a, b',
      'size must not be greater than 100, size must not be less than 1, size must be an integer number',
    ]);
  });

  it('refuses keys outside `keys` (config-only keys, prototype keys) as unknown', () => {
    const params = JSON.parse('{"secretPath": "/etc", "__proto__": {"size": 1000}, "constructor": 1, "size": 0}');
    expect(schemaProblems(Config, params, { keys: ['mode', 'size'] })).toEqual([
      'unknown parameter "secretPath" (known: mode, size)',
      'unknown parameter "__proto__" (known: mode, size)',
      'unknown parameter "constructor" (known: mode, size)',
      'size must not be less than 1',
    ]);
  });

  it('says what is wrong with a value that is not an object or nests too deeply, without walking it', () => {
    expect(schemaProblems(Config, [1])).toEqual([
      'parameters must be an object of parameter names and values, got an array',
    ]);
    const deep = JSON.parse(`${'['.repeat(10_000)}${']'.repeat(10_000)}`);
    expect(schemaProblems(Config, { mode: deep })[0]).toMatch(/^mode nests arrays and objects deeper than 32 levels/);
  });
});
