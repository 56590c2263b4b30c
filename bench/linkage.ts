import 'reflect-metadata';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import net from 'node:net';
import { Client } from 'pg';
import { loadConfig } from '../src/config';
import { createDataSource, runMigrations } from '../src/db/dataSource';
import { startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embeddedPostgres';
import { Organization, User } from '../src/entities';
import { FIELDS } from '../src/identification/compare';
import { mayBeLikely } from '../src/identification/fellegiSunter';
import { jaroWinkler } from '../src/identification/jaroWinkler';
import { ExternalSourceKind, OrganizationKind, Role } from '../src/schema/enums';
import { ExternalRecordService } from '../src/services/identification/ExternalRecordService';
import { matchAll, refreshChildVariants, type BlockedPair } from '../src/services/identification/linkage';
import { searchText, transliterate } from '../src/services/transliteration';
import { parseArgs, scriptContext } from '../scripts/identification/scriptDb';
import { generate, type TraceRow } from './linkage/generate';
import { generateAlt } from './linkage/generateAlt';
import { generateBlind } from './linkage/generateBlind';
import { generateFresh } from './linkage/generateFresh';
import { writePairs } from './linkage/pairs';

/*
 * `npm run bench:linkage [-- --children 20000 --traces 200000 --seed 42 --world alt|blind|fresh]`
 *
 * Generates reports and traces with known truth, loads the children, imports the traces through the same
 * service as the API (the last batches with matching, timed), runs the full match (`npm run match`: blocking
 * in PostgreSQL, EM, scoring), and prints blocking completeness, precision / recall / F1 per band, review
 * load, sibling false positives and times, beside a naive baseline. `--debug FILE` writes the missed pairs,
 * `--pairs FILE` every blocked pair's levels and truth (see linkage/pairs.ts), `--import-candidates FILE` the candidates the timed
 * import batches stored, `--no-train` scores with the starting model
 * (version 0) instead of estimating one, `--keep` keeps the database. Uses a fresh database on DATABASE_URL's
 * server (dropped at the end), else an embedded server in a temporary directory.
 */

const out = (s: string) => process.stdout.write(`${s}\n`);
const say = (s: string) => process.stderr.write(`${s}\n`);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function prf(tp: number, fp: number, fn: number) {
  const precision = tp + fp ? tp / (tp + fp) : 1;
  const recall = tp + fn ? tp / (tp + fn) : 1;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}
const f3 = (x: number) => x.toFixed(3);

type World = ReturnType<typeof generate>;
interface CandRow { child_id: string; external_record_id: string; band: string; probability: number; eligible: boolean }

/**
 * Where the true matches that are not LIKELY were lost (stage) and what the generator had done to them (cause),
 * beside how often each distortion occurs among all true pairs. A true pair may have several distortions.
 */
function missedBreakdown(world: World, truthOf: Map<string, number>, externalIdOf: Map<string, string>, blocked: { child_id: string; record_id: string }[], cands: CandRow[], bands: { likely: number }): string {
  const key = (c: string, r: string) => `${c}|${r}`;
  const blockedSet = new Set(blocked.map((p) => key(p.child_id, p.record_id)));
  const cand = new Map(cands.map((c) => [key(c.child_id, c.external_record_id), c]));
  const best = new Map<string, number>();
  for (const c of cands) best.set(c.external_record_id, Math.max(best.get(c.external_record_id) ?? 0, c.probability));
  const reported = new Map(world.reported.map((c) => [c.id, c]));
  const how = new Map(world.traces.map((t) => [t.externalId, t.how]));
  const stages = new Map<string, number>();
  const causes = new Map<string, [number, number]>();
  let total = 0;
  let missed = 0;
  let noEvidence = 0;
  let noEvidenceMissed = 0;
  const schemes = [...new Set(world.traces.map((t) => t.how.scheme).filter((s): s is string => s !== null))].sort();
  for (const [recordId, truth] of truthOf) {
    const p = world.people[truth];
    if (!p.reported) continue;
    total++;
    const c = cand.get(key(p.id, recordId));
    let stage: string;
    if (!blockedSet.has(key(p.id, recordId))) stage = 'not blocked';
    else if (!c) stage = 'blocked, not stored';
    else if (c.band === 'LIKELY') stage = 'LIKELY';
    else if (!c.eligible) stage = 'POSSIBLE: names not LIKELY-eligible';
    else if (c.probability >= bands.likely && best.get(recordId)! > c.probability) stage = 'POSSIBLE: a rival scores higher';
    else if (c.probability >= bands.likely) stage = 'POSSIBLE: shared with rivals or uncorroborated';
    else stage = 'POSSIBLE: own probability below LIKELY';
    const lost = stage !== 'LIKELY';
    if (lost) { missed++; stages.set(stage, (stages.get(stage) ?? 0) + 1); }
    const h = how.get(externalIdOf.get(recordId)!)!;
    const rep = reported.get(p.id)!;
    const dayKnown = (h.birth === 'EXACT' || h.birth === 'SWAPPED' || h.birth === 'YEAR_SHIFTED' || h.birth === 'DAY_SHIFTED') && rep.birthDatePrecision !== 'YEAR';
    const patr = h.patronymic && rep.patronymic !== null;
    const place = h.place && rep.placeOfBirth !== null;
    const flags: [string, boolean][] = [
      ['adoptive surname', h.adoptive], ['surname typo', h.familyTypo], ['given-name typo', h.givenTypo],
      ['trace in Ukrainian spelling', !h.russian], ...schemes.map((s): [string, boolean] => [`romanised ${s}`, h.scheme === s]),
      ['romanised (any scheme)', h.scheme !== null],
      ...(['EXACT', 'SWAPPED', 'YEAR_SHIFTED', 'DAY_SHIFTED', 'YEAR_ONLY', 'MISSING'] as const).map((b): [string, boolean] => [`trace birth ${b}`, h.birth === b]),
      ['child born: year only reported', rep.birthDatePrecision === 'YEAR'], ['child born: month reported', rep.birthDatePrecision === 'MONTH'],
      ['no patronymic on one side', !patr], ['no place on one side', !place], ['no sex on the trace', !h.sex],
      ['names only: no day, patronymic or place', !dayKnown && !patr && !place],
    ];
    for (const [name, on] of flags) {
      if (!on) continue;
      const x = causes.get(name) ?? [0, 0];
      x[0]++;
      if (lost) x[1]++;
      causes.set(name, x);
    }
    // Nothing a person could use: another surname and nothing beyond the given name and a year.
    if (h.adoptive && !dayKnown && !patr && !place) { noEvidence++; if (lost) noEvidenceMissed++; }
  }
  const lines = [`true pairs not LIKELY: ${missed} of ${total}; by stage:`];
  for (const [k, v] of [...stages].sort((a, b) => b[1] - a[1])) lines.push(`  ${k.padEnd(48)} ${v}`);
  lines.push(`  by distortion (true pairs with it / of them not LIKELY / share of the misses):`);
  for (const [k, [n, l]] of [...causes].sort((a, b) => b[1][1] - a[1][1])) lines.push(`  ${k.padEnd(48)} ${String(n).padStart(6)} ${String(l).padStart(6)}  ${f3(l / Math.max(1, missed))}`);
  lines.push(`  adoptive surname with no birth day, patronymic or place on both sides (no evidence beyond given name and year): ${noEvidence}, ${noEvidenceMissed} not LIKELY`);
  return lines.join('\n');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const nChildren = Number(opts.children ?? 20000);
  const nTraces = Number(opts.traces ?? 200000);
  const seed = Number(opts.seed ?? 42);
  const base = loadConfig({ ...process.env, DEMO_SEED: 'false' });
  const bands = { likely: opts.likely ? Number(opts.likely) : base.matchLikelyThreshold, possible: opts.possible ? Number(opts.possible) : base.matchPossibleThreshold };
  const config = { ...base, matchLikelyThreshold: bands.likely, matchPossibleThreshold: bands.possible };

  let admin = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL;
  let embedded: EmbeddedServer | undefined;
  let tmp: string | undefined;
  if (!admin) {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-linkage-'));
    fs.chmodSync(tmp, 0o755);
    say(`starting an embedded PostgreSQL in ${tmp}…`);
    embedded = await startEmbeddedPostgres(path.join(tmp, 'pg'), await freePort());
    admin = embedded.url;
  }
  const dbName = `bkb_linkage_${process.pid}`;
  const adminClient = new Client({ connectionString: admin });
  await adminClient.connect();
  await adminClient.query(`CREATE DATABASE ${dbName}`);
  const u = new URL(admin);
  u.pathname = `/${dbName}`;
  const url = u.toString();
  try {
    await runMigrations(url);
    const ds = createDataSource({ url, poolSize: 2 });
    await ds.initialize();
    try {
      say(`generating ${nChildren} children and ${nTraces} traces (seed ${seed}, world ${opts.world ?? 'default'})…`);
      // `--world alt`: a second generator with other names, spellings and formats (bench/linkage/generateAlt.ts).
      // `--world blind`: a third, written without reading the matcher or the other generators' tables (bench/linkage/generateBlind.ts).
      // `--world fresh`: a fourth, also written without reading the matcher, with traces by source (bench/linkage/generateFresh.ts).
      const world = opts.world === 'alt' ? generateAlt(seed, nChildren, nTraces) : opts.world === 'blind' ? generateBlind(seed, nChildren, nTraces)
        : opts.world === 'fresh' ? generateFresh(seed, nChildren, nTraces) : generate(seed, nChildren, nTraces);
      const org = await ds.getRepository(Organization).save({ name: 'Bench NGO', kind: OrganizationKind.NGO, country: 'UA' });
      const user = await ds.getRepository(User).save({ email: 'bench@linkage', displayName: 'Bench', roles: [Role.CASE_WORKER], organizationId: org.id, passwordHash: 'x' });
      const ctx = scriptContext(ds, config, user);

      // Children and their cases, straight into the tables (reporting them one by one would match each).
      const rows = world.reported;
      for (let i = 0; i < rows.length; i += 5000) {
        const s = rows.slice(i, i + 5000);
        await ds.query(
          `INSERT INTO child (id, given_name, family_name, patronymic, latin_name, birth_date, birth_date_precision, sex, place_of_birth, search_text)
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::date[], $7::birth_date_precision[], $8::sex[], $9::text[], $10::text[])`,
          [s.map((c) => c.id), s.map((c) => c.givenName), s.map((c) => c.familyName), s.map((c) => c.patronymic), s.map((c) => transliterate([c.givenName, c.patronymic, c.familyName].filter(Boolean).join(' '))),
            s.map((c) => c.birthDate), s.map((c) => c.birthDatePrecision), s.map((c) => c.sex), s.map((c) => c.placeOfBirth), s.map((c) => searchText([c.givenName, c.familyName]))],
        );
        await ds.query(`INSERT INTO case_file (child_id, lead_organization_id) SELECT unnest($1::uuid[]), $2`, [s.map((c) => c.id), org.id]);
      }
      // Their name variants, which reporting writes: else the first timed batch would write those of every child
      // (matchScope catches up children written without the services), 3.6 of its 4.7 s at 20,000 children.
      await refreshChildVariants(ds.manager, null);

      // Traces through the import service: bulk first, then the last batches with matching, timed.
      const batches: TraceRow[][] = [];
      for (let i = 0; i < world.traces.length; i += 1000) batches.push(world.traces.slice(i, i + 1000));
      const timedBatches = Math.min(5, batches.length);
      const t0 = Date.now();
      const batchTimes: number[] = [];
      for (const [b, batch] of batches.entries()) {
        const timed = b >= batches.length - timedBatches;
        // Fresh statistics before the timed batches, as autovacuum keeps them on a live server.
        if (b === batches.length - timedBatches) await ds.query('ANALYZE');
        const started = Date.now();
        const res = await ExternalRecordService.importRecords(ctx, {
          source: 'Bench registry', sourceKind: ExternalSourceKind.ADOPTION_REGISTRY,
          records: batch.map(({ truth: _t, how: _h, ...rec }) => rec),
        } as never, { match: timed });
        if (res.rejected.length) throw new Error(`bench traces rejected: ${JSON.stringify(res.rejected.slice(0, 3))}`);
        if (timed) batchTimes.push(Date.now() - started);
        if (b % 20 === 0) say(`imported ${Math.min(world.traces.length, (b + 1) * 1000)} / ${world.traces.length}`);
      }
      const importMs = Date.now() - t0;
      // `--import-candidates FILE`: the candidates the timed batches stored (before the full match rewrites them), sorted,
      // to check that a change to the import path leaves them as they were.
      if (opts['import-candidates']) {
        const cs: { child_id: string; external_id: string; score: number; probability: number; band: string; explanation: string }[] = await ds.query(
          `SELECT m.child_id, e.external_id, m.score, m.probability, m.band::text AS band, m.explanation::text AS explanation
             FROM match_candidate m JOIN external_record e ON e.id = m.external_record_id ORDER BY m.child_id, e.external_id`);
        fs.writeFileSync(String(opts['import-candidates']), cs.map((c) => [c.child_id, c.external_id, c.score, c.probability, c.band, c.explanation].join('\t')).join('\n') + '\n');
      }
      await ds.query('ANALYZE');

      // The full match, as `npm run match` runs it.
      let blocked: BlockedPair[] = [];
      const tm = Date.now();
      const stats = await ds.transaction((em) => matchAll(em, { bands, train: !opts['no-train'], seed, onPairs: (p) => { blocked = p; }, progress: (step, d) => say(`match: ${step} ${JSON.stringify(d ?? {})}`) }));
      const matchMs = Date.now() - tm;

      // Truth.
      const recIds: { id: string; external_id: string }[] = await ds.query('SELECT id, external_id FROM external_record');
      const truthOf = new Map<string, number>();
      const byExt = new Map(world.traces.map((t) => [t.externalId, t.truth]));
      for (const r of recIds) truthOf.set(r.id, byExt.get(r.external_id)!);
      const externalIdOf = new Map(recIds.map((r) => [r.id, r.external_id]));
      const personById = new Map(world.people.map((p) => [p.id, p]));
      const truePairs = new Set<string>();
      for (const r of recIds) {
        const p = world.people[truthOf.get(r.id)!];
        if (p.reported) truePairs.add(`${p.id}|${r.id}`);
      }
      const foundInBlocking = blocked.filter((p) => truePairs.has(`${p.child_id}|${p.record_id}`)).length;
      // Whether a pair may be LIKELY at all (names agree, or a renamed child), by the model's own rule on the stored levels.
      const candRows: { child_id: string; external_record_id: string; band: string; probability: number; explanation: { level: string }[] }[] = await ds.query(
        'SELECT child_id, external_record_id, band::text AS band, probability, explanation FROM match_candidate');
      const cands: CandRow[] = candRows.map(({ explanation, ...c }) => ({
        ...c, eligible: mayBeLikely(Int8Array.from(FIELDS.map((f, i) => (f.levels as readonly string[]).indexOf(explanation[i].level)))),
      }));
      const evalBand = (keep: (c: (typeof cands)[number]) => boolean) => {
        let tp = 0;
        let fp = 0;
        let sibling = 0;
        for (const c of cands) {
          if (!keep(c)) continue;
          if (truePairs.has(`${c.child_id}|${c.external_record_id}`)) tp++;
          else {
            fp++;
            const child = personById.get(c.child_id)!;
            const truth = world.people[truthOf.get(c.external_record_id)!];
            if (truth.family === child.family) sibling++;
          }
        }
        return { ...prf(tp, fp, truePairs.size - tp), tp, fp, sibling, n: tp + fp };
      };
      if (opts.debug) {
        const [mm] = await ds.query('SELECT params FROM match_model ORDER BY version DESC LIMIT 1');
        say(`model ${JSON.stringify({ lambda: mm.params.lambda, m: mm.params.m.map((r: number[]) => r.map((x) => +x.toFixed(3))), u: mm.params.u.map((r: number[]) => r.map((x) => +x.toFixed(4))) })}`);
        const fps: { child_id: string; external_record_id: string; explanation: unknown; probability: number }[] = await ds.query(
          `SELECT child_id, external_record_id, explanation, probability FROM match_candidate WHERE band = 'LIKELY' ORDER BY random() LIMIT 400`);
        let shown = 0;
        for (const c of fps) {
          if (truePairs.has(`${c.child_id}|${c.external_record_id}`) || shown >= 12) continue;
          shown++;
          const truth = world.people[truthOf.get(c.external_record_id)!];
          say(`FP p=${c.probability.toFixed(4)} sameFamily=${truth.family === personById.get(c.child_id)!.family} ${JSON.stringify((c.explanation as any[]).map((e) => `${e.field}:${e.level}:${e.weight}:${e.childValue}|${e.recordValue}`))}`);
        }
      }
      const likely = evalBand((c) => c.band === 'LIKELY');
      if (opts.debug) {
        const all: { child_id: string; external_record_id: string; explanation: { field: string; level: string; weight: number; childValue: string; recordValue: string }[]; probability: number; band: string }[] = await ds.query(
          'SELECT child_id, external_record_id, explanation, probability, band::text AS band FROM match_candidate');
        const byRec = new Map<string, typeof all>();
        for (const c of all) byRec.set(c.external_record_id, [...(byRec.get(c.external_record_id) ?? []), c]);
        const lines: string[] = [];
        for (const c of all) {
          if (c.band === 'LIKELY' || !truePairs.has(`${c.child_id}|${c.external_record_id}`)) continue;
          const h = world.traces.find((t) => t.externalId === externalIdOf.get(c.external_record_id))!.how;
          const rivals = byRec.get(c.external_record_id)!.filter((x) => x !== c).map((x) => `${x.band}:${x.probability.toFixed(3)}:${x.explanation.map((e) => e.level[0] + e.level[1]).join('')}`);
          lines.push(`MISS p=${c.probability.toFixed(3)} ${c.explanation.map((e) => `${e.field}:${e.level}:${e.weight}:${e.childValue}|${e.recordValue}`).join(' ')} how=${JSON.stringify(h)} rivals=${rivals.join(',')}`);
        }
        const candSet = new Set(all.map((c) => `${c.child_id}|${c.external_record_id}`));
        const blockedSet = new Set(blocked.map((p) => `${p.child_id}|${p.record_id}`));
        const repById = new Map(world.reported.map((c) => [c.id, c]));
        const traceByExt = new Map(world.traces.map((t) => [t.externalId, t]));
        for (const pair of truePairs) {
          if (candSet.has(pair)) continue;
          const [childId, recId] = pair.split('|');
          const { truth: _t, how, foundAt: _f, foundCountry: _c, ...t } = traceByExt.get(externalIdOf.get(recId)!)!;
          lines.push(`${blockedSet.has(pair) ? 'NOTSTORED' : 'NOTBLOCKED'} child=${JSON.stringify(repById.get(childId))} trace=${JSON.stringify(t)} how=${JSON.stringify(how)}`);
        }
        fs.writeFileSync(String(opts.debug), lines.join('\n'));
      }
      // Every blocked pair with its levels and truth, for the ceiling (docs/identification.md).
      if (opts.pairs) await writePairs(ds, blocked, (c, r) => truePairs.has(`${c}|${r}`), truePairs.size, String(opts.pairs));
      const misses = missedBreakdown(world, truthOf, externalIdOf, blocked, cands, bands);
      const both = evalBand(() => true);

      // Naive baseline: exact Ukrainian national transliteration of the surname, Jaro–Winkler on the names, same birth year.
      const tl = (s: string | null) => (s ? transliterate(s).toLowerCase() : '');
      const bySurname = new Map<string, typeof world.reported>();
      for (const c of world.reported) {
        const k = tl(c.familyName);
        bySurname.set(k, [...(bySurname.get(k) ?? []), c]);
      }
      let btp = 0;
      let bfp = 0;
      let bsib = 0;
      for (const t of world.traces) {
        for (const c of bySurname.get(tl(t.familyName)) ?? []) {
          if (!t.birthDate || t.birthDate.slice(0, 4) !== c.birthDate.slice(0, 4)) continue;
          if (jaroWinkler(tl(c.givenName), tl(t.givenName)) < 0.9) continue;
          if (world.people[t.truth].id === c.id) btp++;
          else {
            bfp++;
            if (personById.get(c.id)!.family === world.people[t.truth].family) bsib++;
          }
        }
      }
      const baseline = prf(btp, bfp, truePairs.size - btp);

      const mean = batchTimes.reduce((a, b) => a + b, 0) / Math.max(1, batchTimes.length);
      out(`\nrecord linkage: ${nChildren} children, ${nTraces} traces (seed ${seed}, world ${opts.world ?? 'default'}); ${truePairs.size} true pairs; bands LIKELY >= ${bands.likely}, POSSIBLE >= ${bands.possible}; model v${stats.modelVersion}`);
      out(`blocking (PostgreSQL): ${blocked.length} candidate pairs, pairs completeness ${f3(foundInBlocking / Math.max(1, truePairs.size))} (${foundInBlocking}/${truePairs.size}), ${f3(blocked.length / Math.max(1, truePairs.size))} pairs per true match`);
      out(`                     precision  recall     F1   stored  sibling FP`);
      out(`LIKELY                   ${f3(likely.precision)}   ${f3(likely.recall)}  ${f3(likely.f1)}  ${String(likely.n).padStart(7)}  ${likely.sibling}`);
      out(`LIKELY+POSSIBLE          ${f3(both.precision)}   ${f3(both.recall)}  ${f3(both.f1)}  ${String(both.n).padStart(7)}  ${both.sibling}`);
      out(`naive baseline           ${f3(baseline.precision)}   ${f3(baseline.recall)}  ${f3(baseline.f1)}  ${String(btp + bfp).padStart(7)}  ${bsib}   (exact UA transliteration of surname + Jaro-Winkler >= 0.9 + same birth year)`);
      out(`review load: ${f3(both.n / Math.max(1, both.tp))} candidates per true match found (LIKELY+POSSIBLE)`);
      out(`time: full match ${(matchMs / 1000).toFixed(1)} s (${Object.entries(stats.timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`).join(', ')}); import of 1,000 traces with matching: mean ${(mean / 1000).toFixed(2)} s, max ${(Math.max(...batchTimes) / 1000).toFixed(2)} s (${batchTimes.length} batches); bulk import ${(importMs / 1000).toFixed(0)} s`);
      const sweep = [0.3, 0.35, 0.4, 0.45, 0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999].filter((x) => x >= bands.possible).map((th) => {
        const r = evalBand((c) => c.eligible && c.probability >= th);
        return `${th}: P ${f3(r.precision)} R ${f3(r.recall)} F1 ${f3(r.f1)}`;
      });
      out(misses);
      out(`LIKELY at other thresholds (among pairs that may be LIKELY): ${sweep.join(' | ')}`);
    } finally {
      await ds.destroy();
    }
  } finally {
    // `--keep` leaves the database for inspection (its name on stderr); drop it by hand afterwards.
    if (opts.keep) say(`kept database ${dbName}`);
    else await adminClient.query(`DROP DATABASE IF EXISTS ${dbName}`).catch(() => undefined);
    await adminClient.end();
    await embedded?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
