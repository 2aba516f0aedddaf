import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { PluginErrorCode } from 'nestjs-plugin-host';

const read = (path: string): string => readFileSync(new URL(path, import.meta.url), 'utf8');

/** The property names of `name`, an interface of the module options' source (`file`, in the library's src). */
function optionsOf(name: string, file = 'plugin-module-options.interface.ts'): string[] {
  file = `../../libs/plugin-host/src/${file}`;
  const source = ts.createSourceFile(file, read(file), ts.ScriptTarget.Latest);
  const found = source.statements.find(
    (statement): statement is ts.InterfaceDeclaration =>
      ts.isInterfaceDeclaration(statement) && statement.name.text === name,
  );
  if (!found) throw new Error(`no interface ${name}`);
  return found.members.map((member) => (member.name as ts.Identifier).text);
}

/** The first cells of a Markdown table's rows. */
const firstCells = (page: string): string[] =>
  page.split('\n').flatMap((line) => (line.startsWith('| ') ? [line.split('|')[1].trim()] : []));

// The reference pages are what users look things up in: an option or error code missing there is a bug.
describe('the reference pages', () => {
  it('docs/options.md has a row for every module option and every discovery option', () => {
    const cells = firstCells(read('../../docs/options.md')).join('\n');
    const options = [
      ...optionsOf('PluginModuleOptions'),
      ...optionsOf('PluginModuleStaticOptions'),
      ...optionsOf('PluginDiscoveryOptions', 'discovery/discovery-options.ts').map((key) => `discovery.${key}`),
    ];
    expect(options.length).toBeGreaterThan(25);
    expect(options.filter((option) => !cells.includes(`\`${option}\``))).toEqual([]);
  });

  it('docs/error-codes.md has a row for every PluginErrorCode', () => {
    const cells = firstCells(read('../../docs/error-codes.md'));
    expect(Object.values(PluginErrorCode).filter((code) => !cells.includes(`\`${code}\``))).toEqual([]);
  });
});
