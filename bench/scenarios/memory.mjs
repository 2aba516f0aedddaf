// Memory, each number from a fresh process: RSS after N = 1000 plugins against the same classes as plain
// providers (MB per plugin), and what 100 reloads of a 9-module plugin keep (MB per reload).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { fmt, median } from '../measure.mjs';

const CHILD = fileURLToPath(new URL('./memory-child.mjs', import.meta.url));

async function measure(mode, n) {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', CHILD, mode, String(n)], {
    env: { ...process.env, NODE_OPTIONS: '' },
    timeout: 120_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1));
}

export async function run({ quick }) {
  const n = quick ? 50 : 1000;
  const runs = quick ? 1 : 3;
  const plugins = [];
  const providers = [];
  for (let i = 0; i < runs; i++) {
    plugins.push(await measure('plugins', n));
    providers.push(await measure('providers', n));
  }
  const mb = (bytes) => bytes / 1024 / 1024;
  const rssPlugins = median(plugins.map((m) => m.rss));
  const rssProviders = median(providers.map((m) => m.rss));
  const heapPerPlugin = (median(plugins.map((m) => m.heap)) - median(providers.map((m) => m.heap))) / n;
  const reloads = quick ? 5 : 100;
  const reloaded = await measure('reloads', reloads);
  return [
    {
      scenario: `memory: N = ${n} plugins`,
      candidate: `RSS ${fmt(mb(rssPlugins), 1)} MB`,
      baseline: `RSS ${fmt(mb(rssProviders), 1)} MB as plain providers`,
      ratio: `${fmt((mb(rssPlugins - rssProviders) * 1024) / n, 1)} KB RSS (${fmt(heapPerPlugin / 1024, 1)} KB heap) per plugin`,
      target: 'report',
      met: undefined,
    },
    {
      scenario: `memory: ${reloads} reloads of pyod (9 modules)`,
      candidate: `RSS +${fmt(mb(reloaded.rss), 1)} MB, heap +${fmt(mb(reloaded.heap), 1)} MB`,
      baseline: 'the same app before the reloads',
      ratio: `${fmt(reloaded.rss / 1024 / reloads, 0)} KB RSS (${fmt(reloaded.heap / 1024 / reloads, 0)} KB heap) per reload`,
      target: 'report',
      met: undefined,
    },
  ];
}
