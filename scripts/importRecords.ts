import 'reflect-metadata';
import fs from 'node:fs';
import readline from 'node:readline';
import { parse } from 'csv-parse';
import { loadConfig } from '../src/config';
import { ExternalSourceKind } from '../src/schema/enums';
import type { ExternalRecordInput } from '../src/schema/identification/inputs';
import { ExternalRecordService } from '../src/services/identification/ExternalRecordService';
import { openDatabase, parseArgs, scriptContext, userByEmail } from './identification/scriptDb';

/*
 * `npm run import:records -- --source NAME --kind KIND --file F --user EMAIL [--batch 500] [--no-match]`
 *
 * Imports a CSV (header row) or NDJSON file of traces of any size through the same service as the API:
 * streamed, committed in batches, with progress, a summary and a file of rejected rows (F.rejects.csv:
 * line, field, reason). Interrupted and run again, it resumes after the last committed batch (F.progress.json);
 * re-importing a row updates it by (source, externalId), so nothing is ever duplicated. With --no-match the
 * traces are only stored: run `npm run match` afterwards (faster for a first bulk load).
 */

const say = (s: string) => process.stderr.write(`${s}\n`);

/**
 * The columns (CSV header or NDJSON keys) by their name with case, spaces, "_" and "-" left out: the API's names, their
 * snake_case, and the names other systems export (first_name, surname, middle_name, gender, dob, date_of_birth).
 */
const COLUMNS: Record<string, keyof ExternalRecordInput> = {
  externalid: 'externalId', id: 'externalId', recordid: 'externalId',
  givenname: 'givenName', firstname: 'givenName', forename: 'givenName',
  familyname: 'familyName', lastname: 'familyName', surname: 'familyName',
  patronymic: 'patronymic', middlename: 'patronymic', fathersname: 'patronymic',
  sex: 'sex', gender: 'sex',
  birthdate: 'birthDate', dateofbirth: 'birthDate', dob: 'birthDate',
  placeofbirth: 'placeOfBirth', birthplace: 'placeOfBirth',
  foundat: 'foundAt', foundcountry: 'foundCountry',
  sourceurl: 'sourceUrl', url: 'sourceUrl', observedat: 'observedAt', notes: 'notes',
};
const columnOf = (name: string): keyof ExternalRecordInput | undefined => COLUMNS[name.toLowerCase().replace(/[\s_'-]+/g, '')];
/** A column no field has: said once, so that a misspelt header is not silently an empty field in every row. */
const ignoredSeen = new Set<string>();
function ignored(name: string): void {
  if (ignoredSeen.has(name)) return;
  ignoredSeen.add(name);
  say(`column "${name}" is not a field of a trace: ignored (fields: ${[...new Set(Object.values(COLUMNS))].join(', ')})`);
}

/**
 * A date as Russian and Ukrainian records write it, day first with dots (05.03.2014, 03.2014), as the API's
 * YYYY-MM-DD / YYYY-MM; anything else goes to the service as written, which accepts YYYY-MM-DD, YYYY-MM or YYYY and
 * rejects the rest (a slash form such as 05/03/2014 is a day or a month first by country: rejected, not guessed).
 */
function isoDate(text: string): string {
  const t = text.trim();
  const dmy = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(t);
  if (dmy) return `${dmy[3]}-${dmy[2].padStart(2, '0')}-${dmy[1].padStart(2, '0')}`;
  const my = /^(\d{1,2})\.(\d{4})$/.exec(t);
  if (my) return `${my[2]}-${my[1].padStart(2, '0')}`;
  return text;
}

const SEX: Record<string, string> = {
  f: 'FEMALE', female: 'FEMALE', girl: 'FEMALE', ж: 'FEMALE', жен: 'FEMALE', жін: 'FEMALE',
  m: 'MALE', male: 'MALE', boy: 'MALE', м: 'MALE', муж: 'MALE', ч: 'MALE', чол: 'MALE', u: 'UNKNOWN', unknown: 'UNKNOWN',
};

/**
 * A row of the file as an import record (unknown columns are ignored; values are checked by the service), or the
 * field whose value is no text: an NDJSON object, list or boolean, or a number past 2^53 (its digits already lost),
 * would otherwise become "[object Object]" or another id, and two rows would overwrite each other.
 */
function toRecord(row: Record<string, unknown>): { rec: ExternalRecordInput } | { field: string; error: string } {
  const rec: Record<string, unknown> = {};
  const from: Record<string, string> = {};
  for (const [k, v] of Object.entries(row)) {
    const field = columnOf(k);
    if (!field) { ignored(k); continue; }
    if (v === null || v === undefined || v === '') continue;
    // Two keys for one field ("id" and "externalId"): the last one silently won, and could name another record.
    if (field in from) return { field, error: `given twice (${from[field]} and ${k}): keep one` };
    from[field] = k;
    // Bytes that are no UTF-8 were read as U+FFFD: stored, a "Jürgen" in Latin-1 became "J�rgen" in foundAt or notes.
    if (typeof v === 'string' && v.includes('\uFFFD')) return { field, error: 'is not UTF-8 text (save the file as UTF-8)' };
    if (typeof v === 'number' && Number.isSafeInteger(v)) rec[field] = String(v);
    else if (typeof v === 'string') rec[field] = v;
    else return { field, error: `must be text (got ${typeof v === 'number' ? 'a number that is not a safe integer' : Array.isArray(v) ? 'a list' : typeof v})` };
  }
  if (typeof rec.sex === 'string') rec.sex = SEX[rec.sex.trim().toLowerCase().replace(/\.$/, '')] ?? rec.sex;
  if (typeof rec.birthDate === 'string') rec.birthDate = isoDate(rec.birthDate);
  return { rec: rec as unknown as ExternalRecordInput };
}

/** Rows of the file with their line numbers (the header is line 1 of a CSV). */
async function* rows(file: string): AsyncGenerator<{ line: number; row: Record<string, unknown> | null; error?: string }> {
  if (/\.(nd)?jsonl?$/i.test(file) || /\.ndjson$/i.test(file)) {
    const rl = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
    let line = 0;
    for await (const raw of rl) {
      line++;
      // A byte order mark (editors on Windows write one) made the first line "not valid JSON".
      const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (!text.trim()) continue;
      try {
        const v = JSON.parse(text);
        if (!v || typeof v !== 'object' || Array.isArray(v)) yield { line, row: null, error: 'not a JSON object' };
        else yield { line, row: v };
      } catch {
        yield { line, row: null, error: 'not valid JSON' };
      }
    }
    return;
  }
  // A row with a stray quote inside a field is a rejected line, not the end of the import: the parser skips it, says
  // so, and reads on in step. A quote left open or closed before other text is another matter: the parser would read
  // on as one field to the end of the file, or out of step, and drop rows without a word; the import stops there with
  // the line, after the batches it committed (fix the file and run again: it resumes).
  const parser = fs.createReadStream(file).pipe(parse({
    columns: checkHeader, bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, info: true, skip_records_with_error: true,
  }));
  const skipped: { line: number; row: null; error: string }[] = [];
  parser.on('skip', (err: Error & { lines?: number; code?: string }) => {
    // The parser names the character after the quote by one byte, which for a Cyrillic letter is half of it ("Ñ" for
    // ф): the line and what is wrong say enough.
    err.message = err.message.replace(/: got "[^"]*" at/, ' at');
    if (err.code !== 'INVALID_OPENING_QUOTE') {
      parser.destroy(new Error(`${file}: ${err.message}; stopped there (rows before it that were committed stay; fix the file and run again to resume)`));
      return;
    }
    skipped.push({ line: err.lines ?? 0, row: null, error: `not a valid CSV row: ${err.message}` });
  });
  for await (const rec of parser as AsyncIterable<{ record: Record<string, unknown>; info: { lines: number } }>) {
    while (skipped.length && skipped[0].line < rec.info.lines) yield skipped.shift()!;
    yield { line: rec.info.lines, row: rec.record };
  }
  yield* skipped;
}

/**
 * The CSV header, checked before any row: two columns for one field (a repeated name, or "id" and "external_id")
 * made the last one win without a word, and a file without an id column had every row rejected one by one.
 */
function checkHeader(header: string[]): string[] {
  const seen = new Map<string, string>();
  for (const h of header) {
    const field = columnOf(h);
    if (!field) { ignored(h); continue; }
    if (seen.has(field)) throw new Error(`the header has two columns for ${field} (${seen.get(field)} and ${h}): keep one`);
    seen.set(field, h);
  }
  if (!seen.has('externalId')) throw new Error('the header has no id column (external_id, externalId, record_id or id)');
  return header;
}

/** The progress of an earlier run, or null when there is none or it cannot be read (then the run starts over: safe). */
function readProgress(progressFile: string): Record<string, unknown> | null {
  if (!fs.existsSync(progressFile)) return null;
  try {
    const p = JSON.parse(fs.readFileSync(progressFile, 'utf8'));
    return p && typeof p === 'object' ? p : null;
  } catch {
    say(`${progressFile} is unreadable: starting from the first line (rows already imported come out unchanged)`);
    return null;
  }
}

const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const file = opts.file as string;
  const source = opts.source as string;
  // Any case, spaces or hyphens for underscores: adoption_registry, "Adoption registry".
  const kind = (typeof opts.kind === 'string' ? opts.kind.trim().toUpperCase().replace(/[\s-]+/g, '_') : opts.kind) as ExternalSourceKind;
  const email = (opts.user as string) || process.env.IMPORT_USER;
  if (opts.help || !file || !source || !kind || !email) {
    say('usage: npm run import:records -- --source NAME --kind KIND --file F.csv|F.ndjson --user EMAIL [--batch 500] [--no-match]');
    say(`kinds: ${Object.values(ExternalSourceKind).join(', ')}`);
    process.exit(opts.help ? 0 : 2);
  }
  if (!Object.values(ExternalSourceKind).includes(kind)) throw new Error(`--kind must be one of ${Object.values(ExternalSourceKind).join(', ')}`);
  const batchSize = Number(opts.batch ?? 500);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000) throw new Error('--batch must be a whole number from 1 to 1000');
  // A missing file or a directory: said plainly (a directory crashed the stream with an unhandled error).
  const stat = fs.existsSync(file) ? fs.statSync(file) : null;
  if (!stat) throw new Error(`${file}: no such file`);
  if (!stat.isFile()) throw new Error(`${file}: not a file`);
  const progressFile = `${file}.progress.json`;
  const rejectsFile = `${file}.rejects.csv`;
  const identity = { source, kind, size: stat.size, mtimeMs: stat.mtimeMs };
  let resumeAfter = 0;
  const p = readProgress(progressFile);
  if (p && p.source === source && p.kind === kind && p.size === stat.size && p.mtimeMs === stat.mtimeMs && Number.isInteger(p.line)) resumeAfter = p.line as number;
  if (resumeAfter) {
    say(`resuming after line ${resumeAfter} (${progressFile})`);
    // A kill after a batch's rejects were appended but before its progress was written: that batch is read again, so its
    // rejects are cut back to what the progress counted (they were listed twice).
    const counted = Number(p?.rejectsBytes);
    if (Number.isInteger(counted) && fs.existsSync(rejectsFile) && fs.statSync(rejectsFile).size > counted) fs.truncateSync(rejectsFile, counted);
  } else fs.writeFileSync(rejectsFile, 'line,field,reason\n');

  const config = loadConfig();
  const db = await openDatabase(config, say);
  const totals = { imported: 0, updated: 0, unchanged: 0, rejected: 0, candidates: 0, rows: 0 };
  const started = Date.now();
  let committed = resumeAfter;
  try {
    const user = await userByEmail(db.ds, email);
    // A batch holds the rows it read, readable or not: its rejects are written in line order when it commits, so that
    // a resumed run (which reads again after the last commit) never lists a line twice.
    let batch: { line: number; rec?: ExternalRecordInput; field?: string; error?: string }[] = [];
    const flush = async () => {
      if (!batch.length) return;
      const readable = batch.filter((b) => b.rec);
      const rejects = batch.filter((b) => !b.rec).map((b) => ({ line: b.line, field: b.field ?? 'row', reason: b.error ?? 'unreadable' }));
      if (readable.length) {
        // A fresh context per batch: fresh loaders, and each batch is its own transaction.
        const ctx = scriptContext(db.ds, config, user);
        const res = await ExternalRecordService.importRecords(ctx, { source, sourceKind: kind, records: readable.map((b) => b.rec!) }, { match: !opts['no-match'] });
        for (const r of res.rejected) rejects.push({ line: readable[r.index].line, field: r.field, reason: r.message });
        totals.imported += res.imported;
        totals.updated += res.updated;
        totals.unchanged += res.unchanged;
        totals.candidates += res.candidates;
      }
      rejects.sort((a, b) => a.line - b.line);
      fs.appendFileSync(rejectsFile, rejects.map((r) => `${r.line},${r.field},${csvCell(r.reason)}\n`).join(''));
      totals.rejected += rejects.length;
      const last = batch[batch.length - 1].line;
      // Written whole or not at all (a kill while writing left half a JSON file, and every later run failed on it).
      fs.writeFileSync(`${progressFile}.tmp`, JSON.stringify({ ...identity, line: last, rejectsBytes: fs.statSync(rejectsFile).size }));
      fs.renameSync(`${progressFile}.tmp`, progressFile);
      committed = last;
      batch = [];
      const secs = (Date.now() - started) / 1000;
      say(`line ${last}: ${totals.rows} rows, ${totals.imported} new, ${totals.updated} updated, ${totals.unchanged} unchanged, ${totals.rejected} rejected, ${totals.candidates} candidates (${Math.round(totals.rows / Math.max(secs, 0.001))} rows/s)`);
    };
    // The line of each externalId's first row in the file: a later row with the same id is rejected, as in one API
    // call. Before, it was rejected when it fell in the same batch ("more than once in this call") and silently
    // replaced the first row when it fell in a later one, so the outcome depended on --batch.
    const firstLine = new Map<string, number>();
    const owner = (line: number, rec: ExternalRecordInput): number | undefined => {
      const id = (rec.externalId ?? '').trim().normalize('NFC');
      if (!id) return undefined;
      const first = firstLine.get(id);
      if (first === undefined) firstLine.set(id, line);
      return first;
    };
    for await (const { line, row, error } of rows(file)) {
      const r = row ? toRecord(row) : null;
      const first = r && 'rec' in r ? owner(line, r.rec) : undefined;
      if (line <= resumeAfter) continue; // committed by an earlier run (read again only for the ids above)
      totals.rows++;
      if (!r) batch.push({ line, error: error ?? 'unreadable' });
      else if (!('rec' in r)) batch.push({ line, field: r.field, error: r.error });
      else if (first !== undefined) batch.push({ line, field: 'externalId', error: `appears more than once in this file (first at line ${first})` });
      else batch.push({ line, rec: r.rec });
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    fs.rmSync(progressFile, { force: true });
    process.stdout.write(`${JSON.stringify({ file, source, kind, ...totals, seconds: Math.round((Date.now() - started) / 100) / 10, rejects: rejectsFile })}\n`);
  } catch (e) {
    // A failure mid-run (the database gone, a malformed file) says what is kept: the driver's own words ("terminating
    // connection due to administrator command") did not say that the committed batches stay and a rerun resumes.
    const kept = committed ? `lines up to ${committed} are committed` : 'nothing was imported';
    // A refusal (no such user, no right to import, a bad source name) is not helped by running again.
    const code = (e as { extensions?: { code?: unknown } } | null)?.extensions?.code;
    const refused = code === 'FORBIDDEN' || code === 'UNAUTHENTICATED' || code === 'BAD_USER_INPUT';
    throw new Error(`${e instanceof Error ? e.message : String(e)}\nstopped: ${kept}${refused ? '' : '; run the same command again to resume'}`);
  } finally {
    await db.close();
  }
}

main().catch((e) => {
  say(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
