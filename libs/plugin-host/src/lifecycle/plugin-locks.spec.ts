import { describe, expect, it } from '@jest/globals';
import { PluginLocks } from './plugin-locks.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('PluginLocks', () => {
  it('runs operations on one name one after the other, in call order', async () => {
    const locks = new PluginLocks();
    const log: string[] = [];
    const op = (id: string) => async () => {
      log.push(`start ${id}`);
      await tick();
      log.push(`end ${id}`);
    };
    await Promise.all([locks.run(['x'], op('a')), locks.run(['x'], op('b')), locks.run(['x'], op('c'))]);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('runs operations on different names concurrently', async () => {
    const locks = new PluginLocks();
    const log: string[] = [];
    const op = (id: string) => async () => {
      log.push(`start ${id}`);
      await tick();
      log.push(`end ${id}`);
    };
    await Promise.all([locks.run(['x'], op('x')), locks.run(['y'], op('y'))]);
    expect(log.slice(0, 2).sort()).toEqual(['start x', 'start y']);
  });

  it('never deadlocks operations taking overlapping sets in different orders, and releases after a throw', async () => {
    const locks = new PluginLocks();
    const done: string[] = [];
    await Promise.all([
      locks.run(['a', 'b'], async () => {
        await tick();
        done.push('ab');
      }),
      locks.run(['b', 'a'], async () => {
        await tick();
        done.push('ba');
      }),
      locks.run(['b'], () => Promise.reject(new Error('boom'))).catch(() => done.push('failed')),
    ]);
    await locks.run(['a', 'b'], async () => done.push('after'));
    expect(done.slice(0, 3).sort()).toEqual(['ab', 'ba', 'failed']);
    expect(done[3]).toBe('after');
  });
});
