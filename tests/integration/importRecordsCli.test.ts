import { spawn, spawnSync } from 'node:child_process';
import { Client } from 'pg';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { createOrg, createUser } from '../factories';
import { CANDIDATES, IMPORT, randomStem } from '../helpers/identification';
import { startTestApp, type TestApp } from '../helpers/testApp';
import { Role } from '../../src/schema/enums';

/*
 * `npm run import:records` from the outside: the built command run as a process against the test database, a file with
 * good rows, bad values and malformed CSV, then an interruption and a resumed run. The API's import keeps the valid
 * records of a call when one record has a control character (it used to refuse the whole call).
 */
const script = path.join(__dirname, '../../dist/scripts/importRecords.js');
let t: TestApp;
let ds: DataSource;
let worker: string;
let email: string;
let dir: string;

beforeAll(async () => {
  if (!fs.existsSync(script)) throw new Error(`${script} is missing: build first (npm test runs tsc -p . before jest)`);
  t = await startTestApp();
  ds = t.app.deps.dataSource;
  const org = await createOrg(ds);
  const u = await createUser(t.app, org, [Role.CASE_WORKER]);
  worker = u.token;
  email = u.user.email;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-import-'));
});
afterAll(async () => {
  await t.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ ...process.env, DATABASE_URL: process.env.BKB_TEST_DB_URL, LOG_LEVEL: 'warn' });
const args = (src: string, file: string, extra: string[] = []) => [script, '--source', src, '--kind', 'ADOPTION_REGISTRY', '--file', file, '--user', email, ...extra];
const countOf = async (src: string) => Number((await ds.query('SELECT count(*) AS n FROM external_record WHERE source = $1', [src]))[0].n);

test('a CSV file: valid rows stored and matched, bad values and malformed rows listed by line, a second run duplicates nothing', async () => {
  const stem = randomStem(5);
  const report = await t.gql(`mutation($input: ReportChildInput!) { reportChild(input: $input) { child { id } } }`, { input: {
    givenName: 'Олександр', familyName: `${stem}цький`, patronymic: 'Федорович', sex: 'MALE', birthDate: '2013-04-11', placeOfBirth: 'м. Херсон',
  } }, worker);
  expect(report.errors).toBeUndefined();
  const childId = report.data!.reportChild.child.id;
  const src = `Registry ${randomStem(6)}`;
  const file = path.join(dir, 'traces.csv');
  fs.writeFileSync(file, [
    'external_id,given_name,family_name,patronymic,sex,birth_date,place_of_birth,found_at,found_country', // line 1
    `r1,Александр,${stem}цкий,Фёдорович,м,2013-04-11,г. Херсон,"Taganrog, orphanage No. 2",RU`, // 2: the reported child
    `r2,Ivan,${randomStem(5)}ov,,m,2012,,,RU`, // 3
    `r3,Ол\u0000ег,${randomStem(5)}ov,,,2012,,,`, // 4: a NUL byte in a name
    `r4,Olena,${randomStem(5)}a,,f,2012-13-40,,,`, // 5: not a date
    `r5,Ol"eg,${randomStem(5)}ov,,,2012,,,`, // 6: a stray quote
    `r6,Марія,${randomStem(5)}цкая,,ж,2015-02,,,RU`, // 7
    '',
  ].join('\n'));
  // One batch (the default 500): its rejects come out in line order, a malformed row among bad values.
  const run = spawnSync(process.execPath, args(src, file), { env: env(), encoding: 'utf8', timeout: 120_000 });
  expect(run.stderr).not.toMatch(/Error|error:/);
  expect(run.status).toBe(0);
  const summary = JSON.parse(run.stdout.trim().split('\n').pop()!);
  expect(summary).toMatchObject({ imported: 3, updated: 0, unchanged: 0, rejected: 3, rows: 6 });
  expect(await countOf(src)).toBe(3);

  const rejects = fs.readFileSync(`${file}.rejects.csv`, 'utf8').trim().split('\n');
  expect(rejects[0]).toBe('line,field,reason');
  expect(rejects.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['4,givenName', '5,birthDate', '6,row']);
  expect(rejects[1]).toMatch(/control character/);
  expect(rejects[3]).toMatch(/not a valid CSV row/);
  expect(fs.existsSync(`${file}.progress.json`)).toBe(false);

  // Matching ran with the import: the Russian spelling of the reported boy is proposed, the file's other traces are not.
  const proposed = async (externalId: string) => {
    const [rec] = await ds.query('SELECT id FROM external_record WHERE source = $1 AND external_id = $2', [src, externalId]);
    const res = await t.gql(CANDIDATES, { filter: { childId, externalRecordId: rec.id } }, worker);
    expect(res.errors).toBeUndefined();
    return res.data!.matchCandidates.totalCount;
  };
  expect([await proposed('r1'), await proposed('r2'), await proposed('r6')]).toEqual([1, 0, 0]);

  // The same file again: nothing new, nothing duplicated.
  const again = spawnSync(process.execPath, args(src, file), { env: env(), encoding: 'utf8', timeout: 120_000 });
  expect(again.status).toBe(0);
  expect(JSON.parse(again.stdout.trim().split('\n').pop()!)).toMatchObject({ imported: 0, updated: 0, unchanged: 3, rejected: 3 });
  expect(await countOf(src)).toBe(3);
}, 180_000);

test('a quote left open stops the import at its line, after the batches it committed; an NDJSON value that is no text is rejected', async () => {
  const src = `Registry ${randomStem(6)}`;
  const file = path.join(dir, 'open-quote.csv');
  // 3,000 good rows (past the parser's first read), then a quote that is never closed: the rest of the file would be
  // one field.
  const good = Array.from({ length: 3000 }, (_, i) => `q${i},Ivan,${randomStem(4)}ov,${2006 + (i % 15)}`);
  fs.writeFileSync(file, ['external_id,given_name,family_name,birth_date', ...good, `bad,"Oleg,${randomStem(5)}ov,2012`, 'after1,Anna,Boiko,2014', 'after2,Olha,Boiko,2015'].join('\n'));
  const run = spawnSync(process.execPath, args(src, file, ['--batch', '500', '--no-match']), { env: env(), encoding: 'utf8', timeout: 120_000 });
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/Quote Not Closed/);
  expect(run.stderr).toMatch(/resume/);
  // Nothing from the open quote on; before it, the batches committed (the parser reads ahead, so it may stop before
  // the last good rows' batch), and the progress file says where a second run resumes.
  const stored = Number((await ds.query('SELECT count(*) AS n FROM external_record WHERE source = $1', [src]))[0].n);
  expect(stored).toBeGreaterThanOrEqual(500);
  expect(stored % 500).toBe(0);
  expect(JSON.parse(fs.readFileSync(`${file}.progress.json`, 'utf8')).line).toBe(stored + 1);
  expect(Number((await ds.query(`SELECT count(*) AS n FROM external_record WHERE source = $1 AND external_id IN ('bad', 'after1', 'after2')`, [src]))[0].n)).toBe(0);
  // A quote closed before other text, here a Cyrillic letter: the line is named, not half of the letter's bytes ("Ñ").
  const closed = path.join(dir, 'closed-quote.csv');
  fs.writeFileSync(closed, 'external_id,given_name,family_name\nc1,"Олег"ф,Бойко\n');
  const run3 = spawnSync(process.execPath, args(`Registry ${randomStem(6)}`, closed), { env: env(), encoding: 'utf8', timeout: 120_000 });
  expect(run3.status).toBe(1);
  expect(run3.stderr).toMatch(/Invalid Closing Quote at line 2/);
  expect(run3.stderr).not.toMatch(/got "/);

  const nd = path.join(dir, 'values.ndjson');
  fs.writeFileSync(nd, [
    JSON.stringify({ externalId: { a: 1 }, givenName: 'Ivan', familyName: `${randomStem(5)}ov` }),
    JSON.stringify({ externalId: 12345, givenName: 'Ivan', familyName: `${randomStem(5)}ov` }),
    JSON.stringify({ externalId: 'n3', givenName: ['Ivan'], familyName: `${randomStem(5)}ov` }),
    JSON.stringify({ externalId: 2 ** 60, givenName: 'Ivan', familyName: `${randomStem(5)}ov` }),
  ].join('\n'));
  const src2 = `Registry ${randomStem(6)}`;
  const run2 = spawnSync(process.execPath, args(src2, nd), { env: env(), encoding: 'utf8', timeout: 120_000 });
  expect(run2.status).toBe(0);
  expect(JSON.parse(run2.stdout.trim().split('\n').pop()!)).toMatchObject({ imported: 1, rejected: 3, rows: 4 });
  expect(fs.readFileSync(`${nd}.rejects.csv`, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['1,externalId', '3,givenName', '4,externalId']);
  expect((await ds.query('SELECT external_id FROM external_record WHERE source = $1', [src2])).map((r: any) => r.external_id)).toEqual(['12345']);
}, 180_000);

test('interrupted after a committed batch and run again, it resumes there and duplicates nothing', async () => {
  const src = `Camp list ${randomStem(6)}`;
  const file = path.join(dir, 'many.ndjson');
  const n = 300;
  fs.writeFileSync(file, Array.from({ length: n }, (_, i) => JSON.stringify({
    externalId: `m${i}`, givenName: 'Иван', familyName: `${randomStem(4)}ов`, birthDate: `${2008 + (i % 10)}`, foundCountry: 'RU',
  })).join('\n'));
  // Killed (SIGKILL: no clean-up) as soon as its first batch reports progress.
  const first = spawn(process.execPath, args(src, file, ['--batch', '5']), { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let err = '';
    first.stderr!.on('data', (d) => {
      err += d;
      if (/^line \d+:/m.test(err)) first.kill('SIGKILL');
    });
    first.on('exit', () => resolve());
    first.on('error', reject);
  });
  const progress = JSON.parse(fs.readFileSync(`${file}.progress.json`, 'utf8'));
  expect(progress.line).toBeGreaterThanOrEqual(5);
  const stored = await countOf(src);
  expect(stored).toBeGreaterThanOrEqual(progress.line);
  expect(stored).toBeLessThan(n);

  const rest = spawnSync(process.execPath, args(src, file, ['--batch', '100']), { env: env(), encoding: 'utf8', timeout: 120_000 });
  expect(rest.status).toBe(0);
  expect(rest.stderr).toContain(`resuming after line ${progress.line}`);
  const summary = JSON.parse(rest.stdout.trim().split('\n').pop()!);
  expect(summary.rows).toBe(n - progress.line);
  expect(summary.imported + summary.unchanged).toBe(n - progress.line);
  expect(await countOf(src)).toBe(n);
  expect(Number((await ds.query('SELECT count(DISTINCT external_id) AS n FROM external_record WHERE source = $1', [src]))[0].n)).toBe(n);
}, 180_000);

test('the API keeps the valid records of a call when one has a control, invisible or broken character', async () => {
  const src = `Partner ${randomStem(6)}`;
  const ok = (id: string) => ({ externalId: id, givenName: 'Ivan', familyName: `${randomStem(5)}ov`, birthDate: '2012' });
  const records = [
    ok('k1'),
    { ...ok('b1'), givenName: 'Ол\u0000ег' },
    { ...ok('b2'), familyName: 'Бой\u200Bко' },
    { ...ok('b3'), patronymic: 'Пет\uD800рович' },
    { ...ok('b4'), foundAt: 'Ростов\nна-Дону' },
    { ...ok('b5'), notes: 'a\u001B[2Jb' },
    { ...ok('b6'), placeOfBirth: 'x'.repeat(10_001) },
    { ...ok('b7'), externalId: '   ' },
    { ...ok('k2'), notes: 'first line\nsecond line', givenName: '  Ivan  ' },
  ];
  const res = await t.gql(IMPORT, { input: { source: src, sourceKind: 'PARTNER_STATE', records } }, worker);
  expect(res.errors).toBeUndefined();
  const out = res.data!.importExternalRecords;
  expect(out.imported).toBe(2);
  expect(out.rejected.map((r: any) => `${r.index}:${r.field}`)).toEqual([
    '1:givenName', '2:familyName', '3:patronymic', '4:foundAt', '5:notes', '6:placeOfBirth', '7:externalId',
  ]);
  expect(out.rejected[0].message).toMatch(/control character/);
  expect(out.rejected[1].message).toMatch(/invisible/);
  expect(out.rejected[2].message).toMatch(/surrogate/);
  const rows = await ds.query('SELECT external_id, given_name, notes FROM external_record WHERE source = $1 ORDER BY external_id', [src]);
  expect(rows).toEqual([
    { external_id: 'k1', given_name: 'Ivan', notes: null },
    { external_id: 'k2', given_name: 'Ivan', notes: 'first line\nsecond line' },
  ]);
  // Other inputs still refuse the whole operation at the GraphQL layer.
  const bad = await t.gql(IMPORT, { input: { source: 'Bad\u0000source', sourceKind: 'PARTNER_STATE', records: [ok('z1')] } }, worker);
  expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.source' });
});

test('file faults: a byte order mark, bytes that are no UTF-8, two columns for one field, no id column, a directory, a half-written progress file, a bad --batch', async () => {
  const run = (file: string, src: string, extra: string[] = []) => spawnSync(process.execPath, args(src, file, extra), { env: env(), encoding: 'utf8', timeout: 120_000 });
  const rejectsOf = (file: string) => fs.readFileSync(`${file}.rejects.csv`, 'utf8').trim().split('\n').slice(1);

  // NDJSON saved with a BOM (and CRLF line ends, a blank line, no newline at the end): every row is read.
  const bom = path.join(dir, 'bom.ndjson');
  const ndRow = (id: string, more: Record<string, string> = {}) => JSON.stringify({ externalId: id, givenName: 'Ivan', familyName: `${randomStem(5)}ov`, ...more });
  fs.writeFileSync(bom, `\uFEFF${ndRow('b1')}\r\n\r\n${ndRow('b2')}\r\n${ndRow('b3', { id: 'other' })}`);
  const srcBom = `Registry ${randomStem(6)}`;
  const r1 = run(bom, srcBom);
  expect(r1.status).toBe(0);
  expect(JSON.parse(r1.stdout.trim().split('\n').pop()!)).toMatchObject({ imported: 2, rejected: 1, rows: 3 });
  // "id" and "externalId" both name the record: refused, not one of them chosen silently.
  expect(rejectsOf(bom)).toEqual([expect.stringMatching(/^4,externalId,given twice \(externalId and id\)/)]);

  // Latin-1 bytes: the row is rejected naming the field, not stored with U+FFFD in place of the letter.
  const latin = path.join(dir, 'latin1.csv');
  fs.writeFileSync(latin, Buffer.concat([
    Buffer.from(`external_id,given_name,family_name,found_at\nl1,Ivan,${randomStem(5)}ov,`), Buffer.from([0x4d, 0xfc, 0x6e, 0x63, 0x68, 0x65, 0x6e]),
    Buffer.from(`\nl2,Ivan,${randomStem(5)}ov,Rostov\n`),
  ]));
  const srcLatin = `Registry ${randomStem(6)}`;
  expect(run(latin, srcLatin).status).toBe(0);
  expect(rejectsOf(latin)).toEqual(['2,foundAt,is not UTF-8 text (save the file as UTF-8)']);
  expect((await ds.query('SELECT external_id FROM external_record WHERE source = $1', [srcLatin])).map((r: any) => r.external_id)).toEqual(['l2']);

  // A header with two columns for one field, or none for the id: the run stops before any row, exit code 1.
  for (const [header, message] of [
    ['external_id,given_name,family_name,family_name', /two columns for familyName/],
    ['id,external_id,given_name,family_name', /two columns for externalId \(id and external_id\)/],
    ['ident,given_name,family_name,x', /no id column/],
  ] as const) {
    const file = path.join(dir, 'header.csv');
    fs.writeFileSync(file, `${header}\nh1,Ivan,${randomStem(5)}ov,Other\n`);
    const src = `Registry ${randomStem(6)}`;
    const r = run(file, src);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(await countOf(src)).toBe(0);
  }

  // A directory and a missing file: a plain message, no stack trace.
  for (const [file, message] of [[dir, 'not a file'], [path.join(dir, 'missing.csv'), 'no such file']]) {
    const r = run(file, `Registry ${randomStem(6)}`);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`${file}: ${message}`);
  }

  // A progress file cut short (killed while it was written) is not the end of every later run: it starts over.
  const cut = path.join(dir, 'cut.csv');
  fs.writeFileSync(cut, `external_id,given_name,family_name\nc1,Ivan,${randomStem(5)}ov\n`);
  fs.writeFileSync(`${cut}.progress.json`, '{"source":"Reg');
  const srcCut = `Registry ${randomStem(6)}`;
  const r2 = run(cut, srcCut);
  expect(r2.status).toBe(0);
  expect(r2.stderr).toMatch(/unreadable: starting from the first line/);
  expect(await countOf(srcCut)).toBe(1);

  const r3 = run(cut, srcCut, ['--batch', 'abc']);
  expect(r3.status).toBe(1);
  expect(r3.stderr).toMatch(/--batch must be a whole number from 1 to 1000/);
}, 180_000);

test('killed after a batch wrote its rejects but before its progress: the resumed run lists each rejected line once', async () => {
  const src = `Registry ${randomStem(6)}`;
  const file = path.join(dir, 'window.csv');
  fs.writeFileSync(file, ['external_id,given_name,family_name,birth_date', `w1,Ivan,${randomStem(5)}ov,2012`, `w2,Ivan,${randomStem(5)}ov,2012-13`,
    `w3,Ivan,${randomStem(5)}ov,2012`, `w4,Ivan,${randomStem(5)}ov,2099`].join('\n'));
  // The first batch (lines 2-3) committed and its progress written; then the second batch (4-5) appended its reject and
  // the process was killed before the progress said so. The state it leaves, made by running the first batch alone:
  const first = path.join(dir, 'window-first.csv');
  fs.writeFileSync(first, fs.readFileSync(file, 'utf8').split('\n').slice(0, 3).join('\n'));
  expect(spawnSync(process.execPath, args(src, first, ['--batch', '2']), { env: env(), encoding: 'utf8', timeout: 120_000 }).status).toBe(0);
  const stat = fs.statSync(file);
  const counted = fs.readFileSync(`${first}.rejects.csv`);
  fs.writeFileSync(`${file}.rejects.csv`, Buffer.concat([counted, Buffer.from('5,birthDate,must be between 1990 and today\n')]));
  fs.writeFileSync(`${file}.progress.json`, JSON.stringify({ source: src, kind: 'ADOPTION_REGISTRY', size: stat.size, mtimeMs: stat.mtimeMs, line: 3, rejectsBytes: counted.length }));

  const rest = spawnSync(process.execPath, args(src, file, ['--batch', '2']), { env: env(), encoding: 'utf8', timeout: 120_000 });
  expect(rest.status).toBe(0);
  expect(rest.stderr).toContain('resuming after line 3');
  expect(fs.readFileSync(`${file}.rejects.csv`, 'utf8').trim().split('\n').map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['line,field', '3,birthDate', '5,birthDate']);
  expect(await countOf(src)).toBe(2);
}, 120_000);

test('the source named on the command line is checked and normalised as the API does it: one source, not two', async () => {
  const stem = randomStem(6);
  const file = path.join(dir, 'source.csv');
  fs.writeFileSync(file, `external_id,given_name,family_name\ns1,Ivan,${randomStem(5)}ov\n`);
  // Two spaces on the command line; the API makes them one. The same record through both is one record.
  const run = spawnSync(process.execPath, args(`Registry  ${stem}`, file), { env: env(), encoding: 'utf8', timeout: 120_000 });
  expect(run.status).toBe(0);
  const api = await t.gql(IMPORT, { input: { source: `Registry  ${stem}`, sourceKind: 'ADOPTION_REGISTRY', records: [{ externalId: 's1', givenName: 'Ivan', familyName: 'Petrov' }] } }, worker);
  expect(api.data!.importExternalRecords).toMatchObject({ imported: 0, updated: 1 });
  expect((await ds.query('SELECT source FROM external_record WHERE source LIKE $1', [`Registry %${stem}`])).map((r: any) => r.source)).toEqual([`Registry ${stem}`]);

  // A source with a right-to-left override or longer than 200 characters: refused with a plain message, exit code 1.
  for (const [src, message] of [[`Registry \u202E${stem}`, /bidirectional/], [`Registry ${'x'.repeat(200)}`, /at most 200/]]) {
    const bad = spawnSync(process.execPath, args(src as string, file), { env: env(), encoding: 'utf8', timeout: 120_000 });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(message);
    expect(await countOf(src as string)).toBe(0);
  }
}, 120_000);

test('the database connection killed in the middle of a run: exit code 1, what is committed said, and a rerun completes without duplicates', async () => {
  const src = `Camp list ${randomStem(6)}`;
  const file = path.join(dir, 'dropped.ndjson');
  const n = 5000;
  fs.writeFileSync(file, Array.from({ length: n }, (_, i) => JSON.stringify({ externalId: `d${i}`, givenName: 'Іван', familyName: `${randomStem(4)}енко`, birthDate: `${2006 + (i % 14)}` })).join('\n'));
  const admin = new Client({ connectionString: process.env.BKB_TEST_DB_URL });
  await admin.connect();
  try {
    const first = spawn(process.execPath, args(src, file, ['--batch', '100']), { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    first.stderr!.on('data', (d) => { err += d; });
    const exited = new Promise<number | null>((resolve) => first.on('exit', (code) => resolve(code)));
    // After its first batch, the server ends the import's connection (as a restart or a failover would).
    let killed = 0;
    while (!killed && first.exitCode === null) {
      if (/^line \d+:/m.test(err)) {
        const r = await admin.query(`SELECT pg_terminate_backend(pid) AS k FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle' AND query LIKE '%external_record%'`);
        killed = r.rows.filter((x: { k: boolean }) => x.k).length;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await exited).toBe(1);
    const progress = JSON.parse(fs.readFileSync(`${file}.progress.json`, 'utf8'));
    expect(err).toContain(`stopped: lines up to ${progress.line} are committed; run the same command again to resume`);
    expect(await countOf(src)).toBe(progress.line);

    const rest = spawnSync(process.execPath, args(src, file, ['--batch', '500']), { env: env(), encoding: 'utf8', timeout: 120_000 });
    expect(rest.status).toBe(0);
    expect(JSON.parse(rest.stdout.trim().split('\n').pop()!)).toMatchObject({ imported: n - progress.line, rows: n - progress.line });
    expect(await countOf(src)).toBe(n);
  } finally {
    await admin.end();
  }
}, 120_000);

test('an externalId given twice in one file: the later row is rejected naming the first, whatever the batch size, and a resumed run still knows the first', async () => {
  // Before, the later row was rejected when both fell in one batch ("more than once in this call") and silently replaced
  // the first when they fell in two: the outcome depended on --batch.
  const src = `Registry ${randomStem(6)}`;
  const file = path.join(dir, 'twice.csv');
  const fam = () => `${randomStem(5)}ov`;
  fs.writeFileSync(file, [
    'external_id,given_name,family_name,birth_date', // 1
    `d1,Ivan,${fam()},2012`, // 2
    `d2,Petr,${fam()},2013`, // 3
    `d3,Oleg,${fam()},2014`, // 4
    `d1,Anna,${fam()},2015`, // 5: d1 again
    `d4,Olga,${fam()},2016`, // 6
    ` d2 ,Mark,${fam()},2017`, // 7: d2 again (spaces trimmed)
    '',
  ].join('\n'));
  for (const batch of ['1', '500']) {
    const s = `${src} ${batch}`;
    const run = spawnSync(process.execPath, args(s, file, ['--batch', batch, '--no-match']), { env: env(), encoding: 'utf8', timeout: 120_000 });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout.trim().split('\n').pop()!)).toMatchObject({ imported: 4, updated: 0, rejected: 2, rows: 6 });
    const rejects = fs.readFileSync(`${file}.rejects.csv`, 'utf8').trim().split('\n').slice(1);
    expect(rejects).toEqual(['5,externalId,appears more than once in this file (first at line 2)', '7,externalId,appears more than once in this file (first at line 3)']);
    const stored = await ds.query('SELECT external_id, given_name FROM external_record WHERE source = $1 ORDER BY external_id', [s]);
    expect(stored.map((r: { external_id: string; given_name: string }) => `${r.external_id}:${r.given_name}`)).toEqual(['d1:Ivan', 'd2:Petr', 'd3:Oleg', 'd4:Olga']);
  }
  // Resumed after line 4 (as if a run had committed lines 2-4 and been killed): the duplicates of lines 2 and 3 are still known.
  const s = `${src} resumed`;
  const first = spawnSync(process.execPath, args(s, file, ['--batch', '3', '--no-match']), { env: env(), encoding: 'utf8', timeout: 120_000 });
  expect(first.status).toBe(0);
  const stat = fs.statSync(file);
  fs.writeFileSync(`${file}.progress.json`, JSON.stringify({ source: s, kind: 'ADOPTION_REGISTRY', size: stat.size, mtimeMs: stat.mtimeMs, line: 4, rejectsBytes: 'line,field,reason\n'.length }));
  const resumed = spawnSync(process.execPath, args(s, file, ['--batch', '3', '--no-match']), { env: env(), encoding: 'utf8', timeout: 120_000 });
  expect(resumed.status).toBe(0);
  expect(resumed.stderr).toMatch(/resuming after line 4/);
  expect(JSON.parse(resumed.stdout.trim().split('\n').pop()!)).toMatchObject({ rejected: 2, rows: 3, updated: 0 });
  const stored = await ds.query('SELECT given_name FROM external_record WHERE source = $1 AND external_id = $2', [s, 'd1']);
  expect(stored[0].given_name).toBe('Ivan');
}, 120_000);

test('the API keeps the valid records of a call when one has a sex that is no value of Sex, or no externalId', async () => {
  // Typed as the Sex enum, one record's "M" refused the whole call at the GraphQL layer; a missing externalId too.
  const src = `Partner ${randomStem(6)}`;
  const ok = (id: string) => ({ externalId: id, givenName: 'Ivan', familyName: `${randomStem(5)}ov`, birthDate: '2012' });
  const records = [
    { ...ok('s1'), sex: 'MALE' },
    { ...ok('s2'), sex: 'M' },
    { givenName: 'Ivan', familyName: `${randomStem(5)}ov` },
    { ...ok('s3'), sex: 'female' },
    { ...ok('s4'), sex: 7 },
    { ...ok('s5'), sex: 'UNKNOWN' },
  ];
  const res = await t.gql(IMPORT, { input: { source: src, sourceKind: 'PARTNER_STATE', records } }, worker);
  expect(res.errors).toBeUndefined();
  const out = res.data!.importExternalRecords;
  expect(out.imported).toBe(3);
  expect(out.rejected.map((r: any) => `${r.index}:${r.field}:${r.message}`)).toEqual([
    '1:sex:must be FEMALE, MALE or UNKNOWN', '2:externalId:is required', '4:sex:must be FEMALE, MALE or UNKNOWN',
  ]);
  expect(await ds.query('SELECT external_id, sex FROM external_record WHERE source = $1 ORDER BY external_id', [src])).toEqual([
    { external_id: 's1', sex: 'MALE' }, { external_id: 's3', sex: 'FEMALE' }, { external_id: 's5', sex: null },
  ]);
  // Written in the document as the enum value, as before.
  const inline = await t.gql(`mutation { importExternalRecords(input: { source: "${src}", sourceKind: PARTNER_STATE, records: [
    { externalId: "s6", givenName: "Olga", familyName: "${randomStem(5)}ova", sex: FEMALE }, { externalId: "s7", givenName: "Olga", sex: X }
  ] }) { imported rejected { index field } } }`, {}, worker);
  expect(inline.errors).toBeUndefined();
  expect(inline.data!.importExternalRecords).toEqual({ imported: 1, rejected: [{ index: 1, field: 'sex' }] });
  expect(await ds.query(`SELECT sex FROM external_record WHERE source = $1 AND external_id = 's6'`, [src])).toEqual([{ sex: 'FEMALE' }]);
});

test('a file exported by another system: its column names and day-first dates are read, an unknown column is named once', async () => {
  const src = `Registry ${randomStem(6)}`;
  const file = path.join(dir, 'exported.csv');
  const family = `${randomStem(5)}ова`;
  fs.writeFileSync(file, [
    'Record ID,First Name,Surname,Middle_Name,Gender,DOB,Birthplace,Photo', // line 1
    `e1,Анна,${family},Ивановна,жен.,05.03.2014,г. Мариуполь,a.jpg`, // 2: day first with dots
    `e2,Ольга,${family},Ивановна,F,3.2014,,b.jpg`, // 3: month and year
    `e3,Софья,${family},,f,05/03/2014,,c.jpg`, // 4: day or month first? rejected, not guessed
    `e4,Мария,${family},,f,31.02.2014,,d.jpg`, // 5: no such day
    '',
  ].join('\n'));
  const run = spawnSync(process.execPath, args(src, file), { env: env(), encoding: 'utf8', timeout: 120_000 });
  expect(run.status).toBe(0);
  expect(run.stderr.match(/column "Photo" is not a field of a trace/g)).toHaveLength(1);
  expect(run.stderr).not.toMatch(/"Record ID"|"First Name"|"DOB"/);
  expect(JSON.parse(run.stdout.trim().split('\n').pop()!)).toMatchObject({ imported: 2, rejected: 2, rows: 4 });
  const rows = await ds.query(
    'SELECT external_id, given_name, family_name, patronymic, sex, birth_date, place_of_birth FROM external_record WHERE source = $1 ORDER BY external_id', [src]);
  expect(rows).toEqual([
    { external_id: 'e1', given_name: 'Анна', family_name: family, patronymic: 'Ивановна', sex: 'FEMALE', birth_date: '2014-03-05', place_of_birth: 'г. Мариуполь' },
    { external_id: 'e2', given_name: 'Ольга', family_name: family, patronymic: 'Ивановна', sex: 'FEMALE', birth_date: '2014-03', place_of_birth: null },
  ]);
  const rejects = fs.readFileSync(`${file}.rejects.csv`, 'utf8').trim().split('\n').slice(1);
  expect(rejects.map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['4,birthDate', '5,birthDate']);

  // NDJSON keys the same way: camelCase of another system, an unknown key named once for the file.
  const nd = path.join(dir, 'exported.ndjson');
  fs.writeFileSync(nd, [
    JSON.stringify({ recordId: 'n1', firstName: 'Пётр', lastName: family.replace(/а$/, ''), gender: 'M', dateOfBirth: '01.12.2011', comment: 'x' }),
    JSON.stringify({ recordId: 'n2', firstName: 'Павел', lastName: family.replace(/а$/, ''), gender: 'm', dateOfBirth: '2011', comment: 'y' }),
  ].join('\n'));
  const run2 = spawnSync(process.execPath, args(src, nd), { env: env(), encoding: 'utf8', timeout: 120_000 });
  expect(run2.status).toBe(0);
  expect(run2.stderr.match(/column "comment" is not a field of a trace/g)).toHaveLength(1);
  expect(JSON.parse(run2.stdout.trim().split('\n').pop()!)).toMatchObject({ imported: 2, rejected: 0 });
  const n1 = await ds.query(`SELECT sex, birth_date FROM external_record WHERE source = $1 AND external_id = 'n1'`, [src]);
  expect(n1).toEqual([{ sex: 'MALE', birth_date: '2011-12-01' }]);
});

test('--kind in any case; a refusal (no right to import, no such user) does not ask to run the command again', async () => {
  const src = `Registry ${randomStem(6)}`;
  const file = path.join(dir, 'kinds.csv');
  fs.writeFileSync(file, `id,given_name,family_name,birth_date\nk1,Ivan,${randomStem(5)}ov,2012\n`);
  const lower = spawnSync(process.execPath, [script, '--source', src, '--kind', 'partner-state', '--file', file, '--user', email], { env: env(), encoding: 'utf8', timeout: 120_000 });
  expect(lower.status).toBe(0);
  expect(await ds.query('SELECT source_kind FROM external_record WHERE source = $1', [src])).toEqual([{ source_kind: 'PARTNER_STATE' }]);

  const analyst = await createUser(t.app, await createOrg(ds), [Role.ANALYST]);
  for (const user of [analyst.user.email, `nobody-${randomStem(4)}@example.org`]) {
    const run = spawnSync(process.execPath, [script, '--source', `Registry ${randomStem(6)}`, '--kind', 'TIP', '--file', file, '--user', user], { env: env(), encoding: 'utf8', timeout: 120_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/may not|no active user/);
    expect(run.stderr).toMatch(/nothing was imported/);
    expect(run.stderr).not.toMatch(/run the same command again/);
  }
});

test('the same records imported again under another sourceKind are updated to it, not left as they were', async () => {
  const src = `Registry ${randomStem(6)}`;
  const records = [1, 2, 3].map((i) => ({ externalId: `r${i}`, givenName: 'Ivan', familyName: `${randomStem(5)}ov`, birthDate: '2012' }));
  const first = await t.gql(IMPORT, { input: { source: src, sourceKind: 'TIP', records } }, worker);
  expect(first.data!.importExternalRecords).toMatchObject({ imported: 3 });
  const again = await t.gql(IMPORT, { input: { source: src, sourceKind: 'TIP', records } }, worker);
  expect(again.data!.importExternalRecords).toMatchObject({ imported: 0, updated: 0, unchanged: 3 });
  const rekinded = await t.gql(IMPORT, { input: { source: src, sourceKind: 'ADOPTION_REGISTRY', records } }, worker);
  expect(rekinded.data!.importExternalRecords).toMatchObject({ imported: 0, updated: 3, unchanged: 0 });
  expect(await ds.query('SELECT DISTINCT source_kind FROM external_record WHERE source = $1', [src])).toEqual([{ source_kind: 'ADOPTION_REGISTRY' }]);
});
