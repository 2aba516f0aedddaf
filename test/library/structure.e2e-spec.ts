import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// The library's folders depend on each other one way, following the data flow (discover → check → load → run →
// serve): a folder never imports, even a type, from a folder that imports it, directly or through others. A file at
// the top of src/ counts as a folder of its own.
const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../libs/plugin-host/src');

/** Every relative import, re-export and `import()` in the library's own (non-test) sources, as folder → folder edges. */
function folderEdges(): Map<string, Map<string, string[]>> {
  const edges = new Map<string, Map<string, string[]>>();
  const folderOf = (file: string): string =>
    relative(SRC, file)
      .split(sep)[0]
      .replace(/\.(ts|mjs|js)$/, '');
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const [, target] of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)'(\.{1,2}\/[^']+)'/g)) {
      const from = folderOf(file);
      const to = folderOf(resolve(dirname(file), target));
      if (from === to) continue;
      const targets = edges.get(from) ?? new Map<string, string[]>();
      edges.set(from, targets);
      targets.set(to, [...(targets.get(to) ?? []), `${relative(SRC, file)} imports '${target}'`]);
    }
  }
  return edges;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs)$/.test(entry.name) && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** The strongly connected components with more than one folder (Tarjan): each is a cycle. */
function cycles(edges: Map<string, Map<string, string[]>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node) ?? 0);
    stack.push(node);
    for (const next of edges.get(node)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (stack.includes(next)) low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member !== undefined) component.push(member);
    } while (member !== undefined && member !== node);
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return found;
}

describe('the library’s folder structure', () => {
  it('has no import cycle between folders (type imports included)', () => {
    const edges = folderEdges();
    const explained = cycles(edges).map((component) =>
      component
        .flatMap((from) =>
          component.flatMap(
            (to) =>
              edges
                .get(from)
                ?.get(to)
                ?.map((line) => `${from} → ${to}: ${line}`) ?? [],
          ),
        )
        .join('\n'),
    );
    expect(explained).toEqual([]);
  });

  it('has no source file over 250 lines (split by concern, not in arbitrary chunks)', () => {
    const long = sourceFiles(SRC)
      .map((file) => ({ file: relative(SRC, file), lines: readFileSync(file, 'utf8').split('\n').length - 1 }))
      .filter(({ lines }) => lines > 250);
    expect(long).toEqual([]);
  });

  it('sees the imports it checks (a broken scan would pass vacuously)', () => {
    const edges = folderEdges();
    expect(edges.get('lifecycle')?.has('registry')).toBe(true);
    expect(edges.get('plugin.module')?.has('host-providers')).toBe(true);
    // A planted cycle is found.
    const planted = new Map(edges);
    planted.set('registry', new Map([...(edges.get('registry') ?? []), ['lifecycle', ['planted']]]));
    expect(cycles(planted).some((component) => component.includes('registry') && component.includes('lifecycle'))).toBe(
      true,
    );
  });
});
