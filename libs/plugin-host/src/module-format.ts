/**
 * How this copy of the library was built: `import` (the ES module build, `dist/`) or `require` (the CommonJS
 * build, `dist-cjs/`, which `scripts/build-cjs.mjs` writes with this value set to `require`). A host picks the
 * plugin entry built for the same module system, and loads plugin files the same way: Jest's CommonJS runtime
 * (ts-jest in a Nest 11 app) cannot `import()`.
 */
export const MODULE_FORMAT: 'import' | 'require' = 'import';
