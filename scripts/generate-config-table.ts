import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { withConfigTable } from './config-table';

const path = resolve(__dirname, '../README.md');
writeFileSync(path, withConfigTable(readFileSync(path, 'utf8')));
console.log('README.md: configuration table regenerated');
