// What importing the library loads, and what booting an app with it loads after that: every file, grouped by
// package, the library's own listed. Not a benchmark (the hooks that watch the loads slow them): it shows where the
// time of the import-cost scenario goes.
//
//   node bench/import-trace.mjs            the ES-module build (import), then a boot (PluginModule.forRoot with one plugin)
//   node bench/import-trace.mjs --require  the CommonJS build (require), then the same boot
import Mod, { createRequire, register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const useRequire = process.argv.includes('--require');
const loaded = [];

// CommonJS loads (the CommonJS build, and CommonJS dependencies such as semver, whatever loads them).
const load = Mod._load;
Mod._load = function (request, parent, ...rest) {
  const before = Object.keys(Mod._cache).length;
  const exports = load.call(this, request, parent, ...rest);
  if (Object.keys(Mod._cache).length > before) loaded.push(Mod._resolveFilename(request, parent));
  return exports;
};
// ES-module loads, reported by a loader hook (which runs on its own thread).
const { port1, port2 } = new MessageChannel();
port1.on('message', (url) => url.startsWith('file:') && loaded.push(decodeURIComponent(new URL(url).pathname)));
port1.unref();
const hooks = `let port;
export function initialize(data) { port = data.port; }
export async function load(url, context, next) { port.postMessage(url); return next(url, context); }`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { port: port2 }, transferList: [port2] });

const settle = () => new Promise((resolve) => setTimeout(resolve, 100)); // the hook thread's messages arrive

/** The files loaded since `mark` (and not before: a package loaded by import shows up again when first required). */
function report(title, mark) {
  const before = new Set(loaded.slice(0, mark));
  const packages = new Map();
  const own = [];
  for (const file of new Set(loaded.slice(mark))) {
    if (before.has(file)) continue;
    const inLibrary = /\/libs\/plugin-host\/(dist|dist-cjs)\//.exec(file);
    const name = inLibrary ? 'nestjs-plugin-host' : (/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? file);
    packages.set(name, (packages.get(name) ?? 0) + 1);
    if (inLibrary) own.push(file.slice(inLibrary.index + 1 + 'libs/plugin-host/'.length));
  }
  console.log(`\n${title}: ${[...packages].map(([name, count]) => `${name} ${count}`).join(', ') || 'nothing'}`);
  if (own.length) console.log(`  ${own.join('\n  ')}`);
}

// Nest first, as an app has it loaded before the library (loaded here, after the hooks, so its files are known).
await import('reflect-metadata');
const { Module } = await import('@nestjs/common');
const { NestFactory } = await import('@nestjs/core');
await settle();
let mark = loaded.length;
const host = useRequire ? createRequire(import.meta.url)('nestjs-plugin-host') : await import('nestjs-plugin-host');
await settle();
report(`import of the library (${useRequire ? 'require, CommonJS build' : 'import, ES-module build'})`, mark);

class OnePlugin {
  initialize() {}
}
host.Plugin({ name: 'one', type: 'custom', version: '1.0.0', compatibility: '^0.1.0' })(OnePlugin);
class AppModule {}
Module({ imports: [host.PluginModule.forRoot({ plugins: [OnePlugin] })] })(AppModule);
mark = loaded.length;
const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
await settle();
report('then booting an app with one plugin', mark);
await app.close();
