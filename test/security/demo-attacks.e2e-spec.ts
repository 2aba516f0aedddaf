import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { SECURITY_CASES } from './demo-cases.js';
import { DemoHost } from './demo-host.js';

// Each attack on the demo's endpoints, against the demo app as it is served. Shutdown must leave no
// worker, child process or handle behind (DemoHost.close checks).
describe('attacks on the demo app', () => {
  const host = new DemoHost();
  beforeAll(() => host.boot(), 30_000);
  afterAll(() => host.close(), 30_000);

  for (const attack of SECURITY_CASES) it(attack.name, () => attack.run(host), 60_000);
});
