import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderConfigTable, withConfigTable } from '../../scripts/config-table';
import { variables } from '../../common/config';

const root = resolve(__dirname, '../..');
const readme = readFileSync(resolve(root, 'README.md'), 'utf8');

describe('README', () => {
  test('opens with the start command and the test command', () => {
    const firstBlock = /```(?:sh|bash)?\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(firstBlock).toMatch(/npm install && npm start/);
    expect(firstBlock).toMatch(/npm test/);
  });

  test('has the configuration table generated from the config schema (run `npm run generate` if this fails)', () => {
    expect(readme).toContain(renderConfigTable());
    expect(withConfigTable(readme)).toBe(readme);
    for (const name of Object.keys(variables)) expect(readme).toContain(`| \`${name}\` |`);
  });

  test('has a folder table that names every folder of the repository, and only those', () => {
    const rows = readme.slice(readme.indexOf('| Folder |')).split('\n\n')[0]!.split('\n').slice(2);
    const named = rows.flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`([a-z-]+)\/`/g)].map((m) => m[1]));
    // What .gitignore leaves out: installs, builds, local state.
    const ignored = new Set(['node_modules', 'dist', 'coverage']);
    const folders = readdirSync(root, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && !ignored.has(entry.name))
      .map((entry) => entry.name);
    expect(named.sort()).toEqual(folders.sort());
  });
});
