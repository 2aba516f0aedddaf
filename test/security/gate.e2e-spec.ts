import { describe, it } from '@jest/globals';
import { FaultHost } from '../faults/fault-host.js';
import { SECURITY_CASES as GATE_CASES } from './gate-cases.js';
import { SECURITY_CASES as INPUT_CASES } from './input-cases.js';

// Each attack on the checks before plugin code runs and on what plugins and operators declare, beside a
// healthy plugin that must keep serving; shutdown must leave no worker, child process or handle behind
// (FaultHost.close checks).
describe('attacks on the gate and on declared input', () => {
  for (const attack of [...GATE_CASES, ...INPUT_CASES]) {
    it(`${attack.area}: ${attack.name}`, async () => {
      const host = new FaultHost();
      try {
        await attack.run(host);
      } finally {
        await host.close();
      }
    }, 30_000);
  }
});
