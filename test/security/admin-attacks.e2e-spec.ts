import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { ADMIN_TOKEN, SECURITY_CASES } from './admin-cases.js';
import { DemoHost, LibraryAdminHost } from './demo-host.js';

// Each attack on the admin endpoints, against the demo app served with ADMIN_TOKEN set and against the
// library's admin routes alone (no global pipe). Shutdown must leave no worker, child process or handle
// behind (DemoHost.close checks).
describe('attacks on the admin endpoints', () => {
  const demo = new DemoHost();
  const library = new LibraryAdminHost();
  beforeAll(async () => {
    await demo.boot({ ADMIN_TOKEN });
    await library.boot(ADMIN_TOKEN);
  }, 30_000);
  afterAll(async () => {
    await library.close();
    await demo.close();
  }, 30_000);

  for (const attack of SECURITY_CASES) it(attack.name, () => attack.run({ demo, library }), 60_000);
});
