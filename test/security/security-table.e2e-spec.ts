import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';

/** What every `test/security/*-cases.ts` exports as `SECURITY_CASES`, and the attack table of docs/security-and-isolation.md lists. */
interface ListedCase {
  name: string;
  area: string;
  outcome: string;
}

const FOLDER = new URL('./', import.meta.url);
const modules = readdirSync(FOLDER).filter((file) => file.endsWith('-cases.ts'));

// The attack regression suite is several files, by area (demo, admin, the one gate, ...); one table in docs/security-and-isolation.md
// lists every case: `| case | area | expected outcome |`.
describe('the attack table of docs/security-and-isolation.md', () => {
  it('lists every case of every test/security/*-cases.ts that exports SECURITY_CASES', async () => {
    const readme = readFileSync(new URL('../../docs/security-and-isolation.md', import.meta.url), 'utf8').replace(
      /[ \t]+/g,
      ' ',
    );
    expect(readme).toContain('## Attack regression suite');
    const all: (ListedCase & { module: string })[] = [];
    for (const file of modules) {
      const { SECURITY_CASES } = (await import(`./${file.replace(/\.ts$/, '.js')}`)) as {
        SECURITY_CASES?: ListedCase[];
      };
      if (SECURITY_CASES)
        all.push(...SECURITY_CASES.map(({ name, area, outcome }) => ({ name, area, outcome, module: file })));
    }
    expect(all.map((c) => c.module)).toEqual(expect.arrayContaining(['demo-cases.ts', 'admin-cases.ts']));
    const missing = all.filter(({ name, area, outcome }) => !readme.includes(`| ${name} | ${area} | ${outcome} |`));
    expect(missing.map(({ module, name, area, outcome }) => `${module}: | ${name} | ${area} | ${outcome} |`)).toEqual(
      [],
    );
    const names = all.map(({ name }) => name);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });
});
