// npm run bench [-- --quick]: every scenario against its same-run baseline. The full run writes
// BENCHMARKS.md; --quick (small N, one run) only checks that every scenario completes (CI runs it).
import { cpus, totalmem } from 'node:os';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const quick = process.argv.includes('--quick');
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice(7);
const SCENARIOS = [
  'import-cost',
  'bootstrap',
  'discovery',
  'call',
  'health',
  'plugin-route',
  'worker-call',
  'reload-load',
  'replicas',
  'memory',
  'detect-health',
  'pyod',
];

const rows = [];
const failures = [];
for (const name of SCENARIOS.filter((s) => !only || only.split(',').includes(s))) {
  const started = Date.now();
  try {
    const { run } = await import(`./scenarios/${name}.mjs`);
    const result = await run({ quick });
    rows.push(...result);
    for (const row of result)
      console.log(
        `${row.scenario}: ${row.candidate} vs ${row.baseline} → ${row.ratio} [target ${row.target}${row.met === undefined ? '' : row.met ? ': met' : ': MISSED'}]`,
      );
  } catch (error) {
    failures.push(name);
    console.error(`scenario ${name} failed: ${error.stack ?? error}`);
  }
  console.log(`  (${name} took ${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
if (!quick && !only && failures.length === 0) {
  const table = rows
    .map(
      (row) =>
        `| ${row.scenario} | ${row.candidate} | ${row.baseline} | ${row.ratio} | ${row.target} | ${row.met === undefined ? '–' : row.met ? 'met' : '**missed** (see below)'} |`,
    )
    .join('\n');
  const file = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));
  const notes = (await import('./notes.mjs')).notes(rows);
  writeFileSync(
    file,
    `# Benchmarks\n\nMeasured ${new Date().toISOString().slice(0, 10)} on ${machine}. Machines here are shared and noisy: the ratios (candidate and baseline run alternately in the same run) are what matter; absolute times are context.\n\nReproduce: \`npm install && npm run bench\` (builds, then runs every scenario and rewrites this file; a few minutes). \`npm run bench -- --quick\` runs each scenario once with small N (CI does, to keep the benchmark working); \`npm run bench -- --only=call,health\` runs some.\n\n| scenario | nestjs-plugin-host | baseline (same run) | ratio | target | |\n| --- | --- | --- | --- | --- | --- |\n${table}\n\n${notes}\n`,
  );
  console.log(`wrote ${file}`);
}
console.log(`machine: ${machine}`);
if (failures.length) {
  console.error(`failed scenarios: ${failures.join(', ')}`);
  process.exit(1);
}
console.log(`all ${SCENARIOS.length} scenarios completed${quick ? ' (quick)' : ''}`);
