import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { resolveOptions } from '../../libs/plugin-host/src/lifecycle/index.js';
import { FaultHost } from '../faults/fault-host.js';
import { ISOLATION_CASES } from './isolation-cases.js';

// Each attack on the isolation boundary, beside a healthy plugin that must keep serving; shutdown must
// leave no worker, child process or handle behind (FaultHost.close checks).
describe('isolation attacks', () => {
  for (const attack of ISOLATION_CASES) {
    it(`${attack.tier}: ${attack.name}`, async () => {
      const host = new FaultHost();
      try {
        await attack.run(host);
      } finally {
        await host.close();
      }
    }, 60_000);
  }

  it('refuses isolation rules with bad limits: PLUGIN_OPTIONS_INVALID naming each', () => {
    const isolation = {
      a: { tier: 'process', memoryMb: -1, maxMessageBytes: 2 ** 33, uid: 1.5 },
      b: { tier: 'worker', gid: 0, heapMb: Number.NaN },
    };
    expect(() => resolveOptions({ isolation } as never)).toThrow(
      /isolation\["a"\]\.memoryMb must be a positive number.*maxMessageBytes must be at most 2 GiB.*uid must be a user or group id.*isolation\["b"\]\.heapMb must be a positive number.*gid applies to the process tier only/,
    );
  });

  it('lists every case in the table of docs/security-and-isolation.md', () => {
    const readme = readFileSync(new URL('../../docs/security-and-isolation.md', import.meta.url), 'utf8').replace(
      / +/g,
      ' ',
    );
    for (const attack of ISOLATION_CASES)
      expect(readme).toContain(`| ${attack.name} | ${attack.tier} | ${attack.outcome} |`);
  });
});
