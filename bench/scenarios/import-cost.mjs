// What the library costs a host that only declares it, each number from a fresh process: importing it against
// importing @nestjs/terminus (both once Nest core and common are loaded), as an ES module and with require (the
// CommonJS build); and booting a Nest app with Terminus and one plugin to listening, against the same app without
// the library. Targets: the import ≤ 1x Terminus's, the boot ≤ 100 ms over the app without it.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { alternate, fmt } from '../measure.mjs';

const CHILD = fileURLToPath(new URL('./import-child.mjs', import.meta.url));
const BOOT_TARGET_MS = 100;

async function child(...args) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', CHILD, ...args],
    {
      env: { ...process.env, NODE_OPTIONS: '' },
      timeout: 60_000,
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)).ms;
}

// What a missed target's row says (BENCHMARKS.md, "Targets missed, and why").
const IMPORT_EVIDENCE =
  'The import loads what declaring PluginModule needs: the module, the decorators and tokens, the API classes of PluginManager, PluginHooks and PluginHealthIndicator, the errors, the plugin toolkit, and package discovery (forRoot reads manifests synchronously); `node bench/import-trace.mjs` lists the files. An ES module costs about half a millisecond here before any of its code runs, so the count of files is most of the time.';
const BOOT_EVIDENCE =
  "The boot loads the boot-time parts (boot.ts: loader, gate, lifecycle, registry, the services behind the API classes) and semver's functions; `node bench/import-trace.mjs` lists them. A boot here is some 600 ms, mostly Nest and Express, and varies by tens of ms from run to run.";

const range = (stats) => `${fmt(stats.median, 1)} ms (${fmt(stats.min, 1)}–${fmt(stats.max, 1)})`;

export async function run({ quick }) {
  const options = { runs: quick ? 1 : 11, warmup: quick ? 0 : 1 };
  const rows = [];
  for (const [mode, label] of [
    ['import', 'ES module, import()'],
    ['require', 'CommonJS build, require()'],
  ]) {
    const result = await alternate(
      () => child(mode, 'nestjs-plugin-host'),
      () => child(mode, '@nestjs/terminus'),
      options,
    );
    rows.push({
      scenario: `import of the library (${label}), Nest core and common loaded`,
      candidate: range(result.candidate),
      baseline: `${range(result.baseline)} @nestjs/terminus`,
      ratio: `${fmt(result.ratio)}x`,
      target: '≤ 1x',
      met: quick ? undefined : result.ratio <= 1,
      evidence: IMPORT_EVIDENCE,
    });
  }
  // A boot is some 600 ms, most of it Nest and Express, and noisy: more runs, and the median of each pair's difference.
  const boot = await alternate(
    () => child('boot', 'with'),
    () => child('boot', 'without'),
    { ...options, runs: quick ? 1 : 15 },
  );
  const overMs = boot.difference;
  rows.push({
    scenario: 'boot to listening: a Nest app with Terminus and one plugin (PluginModule.forRoot), imports included',
    candidate: range(boot.candidate),
    baseline: `${range(boot.baseline)} the app without the library (the class as a plain provider)`,
    ratio: `${overMs < 0 ? '−' : '+'}${fmt(Math.abs(overMs), 1)} ms`,
    target: `≤ ${BOOT_TARGET_MS} ms over`,
    met: quick ? undefined : overMs <= BOOT_TARGET_MS,
    evidence: BOOT_EVIDENCE,
  });
  return rows;
}
