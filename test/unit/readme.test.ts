import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderConfigTable, withConfigTable } from '../../scripts/config-table';
import { variables } from '../../common/config';

const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');

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
});
