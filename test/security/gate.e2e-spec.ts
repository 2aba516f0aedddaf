import { describe, it } from '@jest/globals';
import { FaultHost } from '../faults/fault-host.js';
import { SECURITY_CASES } from './gate-cases.js';

// Each attack on the checks before plugin code runs, beside a healthy plugin that must keep serving;
// shutdown must leave no worker, child process or handle behind (FaultHost.close checks).
describe('the one gate before plugin code runs', () => {
  for (const attack of SECURITY_CASES) {
    it(
      attack.name,
      async () => {
        const host = new FaultHost();
        try {
          await attack.run(host);
        } finally {
          await host.close();
        }
      },
      30_000,
    );
  }
});
