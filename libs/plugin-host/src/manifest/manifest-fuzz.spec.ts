import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPackagePlugins } from '../discovery/index.js';
import { PluginError } from '../errors/index.js';
import { IsolationSupervisor } from '../isolation/isolation-supervisor.js';
import { PluginLoader, resolveOptions } from '../lifecycle/index.js';
import { PluginRegistry, PluginState } from '../registry/index.js';
import { Plugin } from './plugin.decorator.js';
import { validatePluginMetadata } from './manifest-validation.js';

// Property-based: whatever a plugin declares (a manifest in package.json, the object given to @Plugin()),
// the host never throws; the plugin is either accepted or failed with PLUGIN_MANIFEST_INVALID.

const FIELDS = [
  'name',
  'type',
  'version',
  'description',
  'compatibility',
  'dependencies',
  'configSchema',
  'required',
  'timeouts',
  'requires',
];
const MANIFEST_FIELDS = [...FIELDS, 'entry', 'export', 'lazy', 'isolation', 'inject', 'optionalRequires'];

/** A declaration: mostly plausible values, each field sometimes replaced by anything at all. */
function declaration(fields: string[], value: fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> {
  const plausible: Record<string, fc.Arbitrary<unknown>> = {
    name: fc.oneof(
      fc.constantFrom('ok', '3d-viewer', 'toString', 'constructor', '__proto__', 'status', ''),
      fc.string(),
    ),
    type: fc.constantFrom('algorithm', 'custom', ''),
    version: fc.constantFrom('1.0.0', 'x', ''),
    compatibility: fc.constantFrom('^0.1.0', '>=1 <', '*'),
    entry: fc.constantFrom('./index.js', '../x.js', '/abs.js', './a/../../b.js'),
    timeouts: fc.constantFrom({ initialize: 5 }, { initialize: -1 }, { nope: 1 }, null, []),
    dependencies: fc.constantFrom({ a: '^1' }, { a: 'not a range' }, null, { ['__proto__']: '^1' }),
  };
  return fc.record(Object.fromEntries(fields.map((field) => [field, fc.oneof(plausible[field] ?? value, value)])), {
    requiredKeys: [],
  });
}

const circular: Record<string, unknown> = {};
circular.self = circular;
const anything = fc.oneof(
  fc.anything({ withBigInt: true }),
  fc.constantFrom(null, undefined, NaN, Infinity, -1, [], {}, () => 1, Symbol('s'), circular, 10n),
);

describe('what a plugin declares cannot break the host', () => {
  it('validatePluginMetadata never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.oneof(declaration(FIELDS, anything), anything), (metadata) => {
        const result = validatePluginMetadata(metadata as never, 'fuzz');
        expect(
          result === undefined || (result instanceof PluginError && result.code === 'PLUGIN_MANIFEST_INVALID'),
        ).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  const root = mkdtempSync(join(tmpdir(), 'manifest-fuzz-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reading a package.json never throws: each plugin it declares is valid or carries PLUGIN_MANIFEST_INVALID', () => {
    const dir = join(root, 'pkg');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.js'), '');
    const entry = fc.oneof(declaration(MANIFEST_FIELDS, fc.jsonValue()), fc.jsonValue());
    fc.assert(
      fc.property(fc.oneof(entry, fc.array(entry, { maxLength: 3 })), (nestPlugin) => {
        writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fuzzed', version: '1.0.0', nestPlugin }));
        for (const candidate of readPackagePlugins({ dir, kind: 'path', root }) ?? []) {
          if (candidate.error) expect(candidate.error.code).toBe('PLUGIN_MANIFEST_INVALID');
          else expect(validatePluginMetadata(candidate.metadata!, 'fuzz')).toBeUndefined();
        }
      }),
      { numRuns: 500 },
    );
  });

  it('any @Plugin() declaration on a listed class ends as a plugin that loads or fails with a code, never a thrown boot', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(declaration(FIELDS, anything), anything), { minLength: 1, maxLength: 4 }),
        async (declarations) => {
          const classes = declarations.map((metadata) => {
            const Fuzzed = class {};
            Plugin(metadata as never)(Fuzzed);
            return Fuzzed;
          });
          const candidates = classes.map((pluginClass, i) => ({
            pluginClass,
            metadata: Reflect.getOwnMetadata('nestjs-plugin-host:plugin', pluginClass),
            source: { kind: 'module-options' as const, description: `fuzzed class ${i}` },
          }));
          const options = resolveOptions({ hostVersion: '0.1.0' });
          const registry = new PluginRegistry(options.hostVersion, root);
          const supervisor = new IsolationSupervisor(registry, {
            ...options,
            resolve: () => undefined,
            admit: () => ({}),
            loadTimeoutMs: () => 1000,
            start: async () => undefined,
          });
          await new PluginLoader(registry, supervisor, options, (pluginClass) => new pluginClass()).loadAll(candidates);
          for (const record of registry.all()) {
            if (record.state === PluginState.FAILED) expect(record.error?.code).toMatch(/^PLUGIN_[A-Z_]+$/);
            else expect(record.state).toBe(PluginState.LOADED);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
