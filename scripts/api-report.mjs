// The public API of the published packages, as one Markdown file per package (`<package>/api/*.api.md`): every name
// each entry point exports, with its declaration as the built .d.ts has it (comments left out). A test compares the
// checked-in reports with the build (test/library/api-report.e2e-spec.ts), so the API cannot change unnoticed;
// `npm run api:report` rewrites them after a deliberate change. It also lists exports without a doc comment.
import { writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Each published package and its entry points (the `import` condition's declarations). */
export const PACKAGES = [
  {
    dir: 'libs/plugin-host',
    report: 'libs/plugin-host/api/nestjs-plugin-host.api.md',
    entries: {
      'nestjs-plugin-host': 'dist/index.d.ts',
      'nestjs-plugin-host/admin': 'dist/admin/index.d.ts',
      'nestjs-plugin-host/redis': 'dist/redis/index.d.ts',
      'nestjs-plugin-host/runtime': 'dist/runtime.d.ts',
    },
  },
  {
    dir: 'libs/anomaly-contracts',
    report: 'libs/anomaly-contracts/api/anomaly-contracts.api.md',
    entries: { '@nestjs-plugin-host/anomaly-contracts': 'dist/index.d.ts' },
  },
];

const printer = ts.createPrinter({ removeComments: true });

/** The report of one package, and the exports that have no doc comment. */
export function apiReport({ dir, entries }) {
  const files = Object.values(entries).map((entry) => join(ROOT, dir, entry));
  const program = ts.createProgram(files, {
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  });
  const checker = program.getTypeChecker();
  const undocumented = [];
  const sections = Object.entries(entries).map(([name, entry]) => {
    const source = program.getSourceFile(join(ROOT, dir, entry));
    const exports = checker
      .getExportsOfModule(checker.getSymbolAtLocation(source))
      .sort((a, b) => a.name.localeCompare(b.name));
    const lines = exports.map((exported) => {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const declarations = (symbol.declarations ?? []).map(statementOf);
      if (!declarations.some((node) => ts.getJSDocCommentsAndTags(node).length > 0))
        undocumented.push(`${name}: ${exported.name}`);
      return declarations
        .map((node) =>
          printer.printNode(ts.EmitHint.Unspecified, node, node.getSourceFile()).replace(/^export (declare )?/, ''),
        )
        .join('\n');
    });
    return `## ${name}\n\n\`\`\`ts\n${lines.join('\n\n')}\n\`\`\`\n`;
  });
  const text = `# API report\n\nThe public API of ${Object.keys(entries)
    .map((entry) => `\`${entry}\``)
    .join(
      ', ',
    )}: every export and its declaration, generated from the built declarations by \`scripts/api-report.mjs\` (\`npm run api:report\`). A test fails when the build and this file differ.\n\n${sections.join('\n')}`;
  return { text, undocumented };
}

/** A declaration as a statement (a `const` is printed with its `declare const` line). */
function statementOf(node) {
  return ts.isVariableDeclaration(node) ? node.parent.parent : node;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const pkg of PACKAGES) {
    const { text, undocumented } = apiReport(pkg);
    writeFileSync(join(ROOT, pkg.report), text);
    console.log(
      `wrote ${relative(ROOT, join(ROOT, pkg.report))}${undocumented.length ? `; without a doc comment: ${undocumented.join(', ')}` : ''}`,
    );
  }
}
