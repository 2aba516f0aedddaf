// The explanations BENCHMARKS.md carries under the table: how each scenario is measured, and why a
// missed target is missed (with the measurement that shows it).
export function notes(rows) {
  const missed = rows.filter((row) => row.met === false).map((row) => row.scenario);
  return `## How each scenario is measured

- **import-cost**: each number from a fresh process that first loads reflect-metadata, \`@nestjs/common\` and \`@nestjs/core\` (as any Nest app has them): the time to \`import('nestjs-plugin-host')\` (the ES-module build) against \`import('@nestjs/terminus')\`, and the same with \`require()\` (the CommonJS build, \`dist-cjs/\`; Terminus 12 is ESM-only, which Node ≥ 20.19 can require); and the time from the process's first line to \`app.listen()\` of a Nest app with Terminus, a \`/health\` route and one plugin through \`PluginModule.forRoot({ plugins: [OnePlugin] })\`, its imports included, against the same app without the library (the class as a plain provider), as the median of each pair's difference. \`node bench/import-trace.mjs [--require]\` lists what the import loads, and what the boot loads after it.
- **bootstrap**: \`NestFactory.createApplicationContext\` of a module hosting N \`@Plugin()\` classes (trivial \`initialize\`) through \`PluginModule.forRoot({ plugins })\`, against a module with the same N classes as plain providers plus one \`useExisting\` token per name and one \`useFactory\` token per type. Both initialize every class. Overhead per plugin = (median plugin boot − median baseline boot) / N.
- **discovery**: \`discoverPackages({ scan: 'node_modules' })\` over a generated \`node_modules\` of 1000 plugin packages (manifests only; nothing imported), against a loop that \`readFileSync\`s and \`JSON.parse\`s the same 1000 package.json files.
- **call**: a trivial synchronous method (\`add(a, b)\`) called 30 million times through the reference \`@InjectPlugin\` gives, against the same method on the instance directly; each in its own compiled loop.
- **health**: autocannon (10 connections, in its own process) against \`GET /health\` (Terminus + \`PluginHealthIndicator\`, 100 enabled plugins each with a \`healthCheck\`) and \`GET /ping\` on the same app, alternately; requests per second.
- **worker call**: sequential round trips to a \`worker\`-tier plugin's method through its reference, against sequential round trips of the same payload over a raw \`MessagePort\` to a worker that echoes.
- **reload under load**: autocannon (10 connections) drives an endpoint that calls an in-process package plugin while the plugin is reloaded 100 times; the same load without reloads is the baseline for p99 latency.
- **detect-health**: the demo app (its AppModule and \`configureApp\`, sklearn disabled) answers \`POST /detect\` with 100 000 rows of 2 columns (pyod, Isolation Forest, 100 trees) while a separate process GETs \`/health\` every 10 ms, open loop (a new probe every interval whether the last answered or not, so a blocked event loop shows as long latencies rather than as fewer samples); p99 of those latencies, against the same probing for as long with nothing running. When this scenario was added, the same fit run on the event loop gave a p99 of about 4.9 s (the whole fit), and in the library's \`worker\` isolation tier about 2.0 s (pyod's health check waits behind the fit in its isolate until the 2 s health-check timeout); pyod's own compute thread is what meets the target.
- **pyod**: \`PyodPlugin.fitPredict\` (fit, then the training rows' scores and labels: what \`POST /detect\` does), its compute thread and the copy of the rows to it included, on 30 features (three Gaussian clusters, 1% of rows shifted out; a fixed seed) at 1 000, 10 000 and 100 000 rows; the median of 5 runs (3 at 100 000) after a warm-up. The baseline is the same method on a tenth of the rows, so the ratio shows the scaling (linear is 10x, n log n about 12.5x). KNN and LOF stop at 10 000 rows: their exact KD-tree search cannot prune on 30 noisy features, so their cost grows close to n² (see the pyod README).
- **memory**: RSS of a fresh process after booting N = 1000 plugins (and after 100 reloads of a 9-module plugin), against a fresh process with the same classes as plain providers; after garbage collection.
${
  rows.filter((row) => row.evidence && row.met === false).length
    ? `\n## Targets missed, and why\n\n${rows
        .filter((row) => row.evidence && row.met === false)
        .map((row) => `- **${row.scenario}** (${row.ratio}, target ${row.target}): ${row.evidence}`)
        .join('\n')}\n`
    : ''
}${missed.length ? `\nMissed this run: ${missed.join(', ')}.` : '\nEvery target with a number was met in this run.'}`;
}
