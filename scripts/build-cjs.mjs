// The CommonJS build beside each package's ES-module build (`tsc -b` writes `dist/`): `dist-cjs/` at the same
// depth, so paths relative to a file (`../package.json`, `./runtime/…`) hold in both. Jest's CommonJS runtime
// (ts-jest in a Nest 11 app) cannot load ES modules; this build is what its `require` gets.
//
// Each source file is transpiled on its own (the packages use `isolatedModules`), as CommonJS: `import()` becomes
// `require()`, and `import.meta.url` becomes the file's own URL. Declarations are the ES build's, copied: under
// `dist-cjs/package.json` (`"type": "commonjs"`) TypeScript reads them as CommonJS, which older TypeScript needs
// for a `require` of the package. A file is rewritten only when its source is newer (a quick rebuild).
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const base = JSON.parse(readFileSync(join(ROOT, 'tsconfig.base.json'), 'utf8')).compilerOptions;
const compilerOptions = {
  ...ts.convertCompilerOptionsFromJson({ ...base, module: 'CommonJS', moduleResolution: 'Node10' }, ROOT).options,
  ignoreDeprecations: '6.0',
  declaration: false,
  sourceMap: true,
};
const IMPORT_META_URL = /\bimport\.meta\.url\b/g;
const OWN_URL = "require('node:url').pathToFileURL(__filename).href";
/** The one line that differs between the builds (see the library's `module-format.ts`). */
const MODULE_FORMAT = /^export const MODULE_FORMAT: 'import' \| 'require' = 'import';$/m;

function commonJsSource(text, file) {
  if (file.endsWith('module-format.ts') && !MODULE_FORMAT.test(text))
    throw new Error(`${file}: its MODULE_FORMAT line changed; update build-cjs.mjs`);
  return text
    .replace(IMPORT_META_URL, OWN_URL)
    .replace(MODULE_FORMAT, "export const MODULE_FORMAT: 'import' | 'require' = 'require';");
}

/** Files under `dir`, as paths relative to it. */
function walk(dir, prefix = '') {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(dir, join(prefix, entry.name)) : [join(prefix, entry.name)],
  );
}

const newer = (source, target) => !existsSync(target) || statSync(source).mtimeMs > statSync(target).mtimeMs;

function write(target, text) {
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
}

export function buildPackage(dir) {
  const src = join(dir, 'src');
  const out = join(dir, 'dist-cjs');
  const esm = join(dir, 'dist');
  let written = 0;
  for (const file of walk(src)) {
    if (/\.spec\.[cm]?ts$/.test(file) || file.endsWith('.d.ts')) continue;
    const source = join(src, file);
    if (file.endsWith('.ts')) {
      const target = join(out, file.replace(/\.ts$/, '.js'));
      if (!newer(source, target)) continue;
      const { outputText, sourceMapText } = ts.transpileModule(commonJsSource(readFileSync(source, 'utf8'), source), {
        compilerOptions,
        fileName: source,
      });
      const map = JSON.parse(sourceMapText);
      map.sources = [relative(dirname(target), source)];
      write(target, outputText);
      write(`${target}.map`, JSON.stringify(map));
      written++;
    } else {
      // Assets such as the isolates' runtime (`.mjs`, an ES module in both builds).
      const target = join(out, file);
      if (newer(source, target)) write(target, readFileSync(source));
    }
  }
  for (const file of walk(esm)) {
    if (!file.endsWith('.d.ts') || /\.spec\.d\.ts$/.test(file)) continue;
    const target = join(out, file);
    if (newer(join(esm, file), target)) {
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(join(esm, file), target);
    }
  }
  write(join(out, 'package.json'), '{ "type": "commonjs" }\n');
  return written;
}

const workspaces = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).workspaces;
const packages = workspaces.flatMap((pattern) => {
  const parent = join(ROOT, pattern.replace(/\/\*$/, ''));
  return readdirSync(parent).map((name) => join(parent, name));
});
for (const dir of packages.filter((dir) => existsSync(join(dir, 'src')) && existsSync(join(dir, 'package.json'))))
  buildPackage(dir);
