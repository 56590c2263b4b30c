import fs from 'node:fs';
import path from 'node:path';
import { emitSchemaSdl, SCHEMA_FILE } from '../../scripts/emitSchema';

/*
 * The committed subgraph SDL (src/schema/schema.graphql) is a contract with clients and the federation
 * gateway: it must be exactly what the code builds now.
 */

const file = path.resolve(__dirname, '../..', SCHEMA_FILE);

test('src/schema/schema.graphql matches the schema built from the code', async () => {
  const live = await emitSchemaSdl();
  const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (committed !== live) {
    const a = committed.split('\n');
    const b = live.split('\n');
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    throw new Error(
      `${SCHEMA_FILE} is out of date with the code: run \`npm run schema:emit\` and commit the result.\n` +
      `First difference at line ${i + 1}:\n  committed: ${a[i] ?? '<end of file>'}\n  code:      ${b[i] ?? '<end of file>'}`,
    );
  }
});
