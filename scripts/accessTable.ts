import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { withAccessTable } from '../src/auth/accessTable';

// Writes the README's table of readable fields per role from the rules (see src/auth/accessTable.ts).
const file = path.resolve(__dirname, '..', '..', 'README.md');
writeFileSync(file, withAccessTable(readFileSync(file, 'utf8')));
console.log(`updated ${file}`);
