import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { FAULT_CASES } from './fault-cases.js';
import { FaultHost } from './fault-host.js';
import { TIMER_FAULT_CASES } from './timer-faults.js';

const ALL = [...FAULT_CASES, ...TIMER_FAULT_CASES];

// Each case: a misbehaving plugin beside a healthy one. The host must keep serving, the plugin must end
// in the right state with the right code and message, the bystander must be unaffected, and shutdown
// must leave no worker, process or handle behind (FaultHost.close checks).
describe('fault injection', () => {
  for (const fault of ALL) {
    it(`${fault.tier}: ${fault.name}`, async () => {
      const host = new FaultHost();
      try {
        await fault.run(host);
      } finally {
        await host.close();
      }
    }, 30_000);
  }

  it('has at least 30 cases, each listed in the table of docs/security-and-isolation.md', () => {
    expect(ALL.length).toBeGreaterThanOrEqual(30);
    const readme = readFileSync(new URL('../../docs/security-and-isolation.md', import.meta.url), 'utf8').replace(
      / +/g,
      ' ',
    );
    for (const fault of ALL) expect(readme).toContain(`| ${fault.name} | ${fault.tier} | ${fault.outcome} |`);
  });
});
