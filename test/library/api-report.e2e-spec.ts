import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: a plain script of the repository, no declarations
import { PACKAGES, apiReport } from '../../scripts/api-report.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// The built declarations (npm test builds first) against the checked-in reports: a change to the public API must
// come with its report (`npm run api:report`), so it is seen in review.
describe.each(PACKAGES as { dir: string; report: string; entries: Record<string, string> }[])(
  'the public API of $dir',
  (pkg) => {
    const { text, undocumented } = apiReport(pkg) as { text: string; undocumented: string[] };

    it('is what its checked-in report says (npm run api:report rewrites it after a deliberate change)', () => {
      expect(text).toBe(readFileSync(join(ROOT, pkg.report), 'utf8'));
    });

    it('has a doc comment on every export', () => {
      expect(undocumented).toEqual([]);
    });
  },
);
