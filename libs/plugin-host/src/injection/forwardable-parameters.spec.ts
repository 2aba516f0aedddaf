import { describe, expect, it } from '@jest/globals';
import { forwardableParameters } from './forwardable-parameters.js';

class Sample {
  none(): number {
    return 1;
  }
  two(a: number, b: number): number {
    return a + b;
  }
  defaults(a = 1, { x, y } = { x: 2, y: 3 }, [z] = [4]): number {
    return a + x + y + z;
  }
  trailing(a: string, b: string): string {
    return a + b;
  }
  rest(...values: number[]): number {
    return values.length;
  }
  usesArguments(): number {
    return arguments.length;
  }
  strings(a = '(,)', b = `[${')'}]`): string {
    return a + b;
  }
}

describe('forwardableParameters', () => {
  const params = (name: keyof Sample) => forwardableParameters(Sample.prototype[name]);

  it('names as many parameters as the method declares, whatever their defaults and patterns', () => {
    expect(params('none')).toBe('');
    expect(params('two')).toBe('a0, a1');
    expect(params('defaults')).toBe('a0, a1, a2');
    expect(params('trailing')).toBe('a0, a1');
    expect(params('strings')).toBe('a0, a1');
  });

  it('gives up (the forwarder passes arguments on) for rest parameters and arguments', () => {
    expect(params('rest')).toBeUndefined();
    expect(params('usesArguments')).toBeUndefined();
    expect(forwardableParameters(Math.max)).toBeUndefined();
    expect(forwardableParameters(undefined)).toBeUndefined();
  });
});
