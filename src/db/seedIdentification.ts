import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../config';
import { ExternalSourceKind } from '../schema/enums';
import { bandsOf } from '../services/identification/childMatching';
import { writeRecords } from '../services/identification/ExternalRecordService';
import { matchAll } from '../services/identification/linkage';
import { checkRecord, type CleanRecord } from '../services/identification/recordValidation';
import { DESTINATIONS, GIVEN_FEMALE, GIVEN_MALE, RUSSIFIED } from './demoNames';
import { prng } from './prng';

/** Demo sources of traces (names are fictitious). */
const SOURCES = [
  { name: 'Demo: regional adoption registry', kind: ExternalSourceKind.ADOPTION_REGISTRY },
  { name: 'Demo: "health camp" lists', kind: ExternalSourceKind.INSTITUTION_OR_CAMP_LIST },
  { name: 'Demo: social media monitoring', kind: ExternalSourceKind.MEDIA_OR_SOCIAL },
  { name: 'Demo: ombudsperson list', kind: ExternalSourceKind.OMBUDSPERSON_LIST },
] as const;

/**
 * A fifth source, an adoption databank that publishes the given name, the surname's initial and the birth month
 * ("Александр М., 2015-07"): drawn with a PRNG of its own after the others, so the other sources' traces stay as they were.
 */
const DATABANK = { name: 'Demo: adoption databank (initials)', kind: ExternalSourceKind.ADOPTION_REGISTRY } as const;

const RU_LETTERS: [RegExp, string][] = [[/і/g, 'и'], [/ї/g, 'и'], [/є/g, 'е'], [/ський$/, 'ский'], [/ська$/, 'ская'], [/івна$/, 'овна'], [/ович$/, 'ович'], [/['’]/g, '']];
const russify = (s: string) => RU_LETTERS.reduce((acc, [re, to]) => acc.replace(re, to), s);

/**
 * Seeds a few hundred traces from several sources: Russian spellings of demo children (some romanised, some
 * with the day and month swapped or only a year), their siblings, and children nobody reported; then runs
 * the matching so that `matchCandidates` has a realistic queue. Deterministic; does nothing when seeded.
 */
export async function seedIdentification(ds: DataSource, opts: { logger?: Pick<Logger, 'info'> } = {}): Promise<{ seeded: boolean; traces: number }> {
  const log = opts.logger ?? { info: () => undefined };
  const [{ n }]: { n: number }[] = await ds.query('SELECT count(*)::int AS n FROM external_record WHERE source = $1', [SOURCES[0].name]);
  if (n > 0) return { seeded: false, traces: 0 };
  const started = Date.now();
  const rnd = prng(20220224 + 9);
  const children: { id: string; given_name: string; family_name: string; patronymic: string | null; birth_date: string; sex: string; place_of_birth: string | null }[] =
    await ds.query(`SELECT id, given_name, family_name, patronymic, birth_date::text AS birth_date, sex::text AS sex, place_of_birth FROM child ORDER BY given_name, family_name, birth_date, patronymic NULLS FIRST, place_of_birth NULLS FIRST, sex, id LIMIT 320`);
  const [worker]: { id: string; organization_id: string }[] = await ds.query(`SELECT id, organization_id FROM app_user WHERE email = 'case_worker@demo.bkb'`);
  const bySource = new Map<string, CleanRecord[]>(SOURCES.map((s) => [s.name, []]));
  let seq = 0;
  const add = (raw: Parameters<typeof checkRecord>[0]) => {
    const clean = checkRecord(raw);
    if (!('field' in clean)) bySource.get(rnd.pick(SOURCES).name)!.push(clean);
  };
  const pad = (x: number) => String(x).padStart(2, '0');
  for (const c of children) {
    const [y, m, d] = c.birth_date.split('-').map(Number);
    const dest = rnd.pick(DESTINATIONS);
    if (rnd.chance(0.35)) {
      // A trace of the child as the other side wrote it.
      const given = RUSSIFIED[c.given_name] ?? c.given_name;
      const birth = rnd.chance(0.6) ? c.birth_date : rnd.chance(0.4) && d <= 12 ? `${y}-${pad(d)}-${pad(m)}` : String(y);
      add({
        externalId: `D${++seq}`, givenName: given, familyName: russify(c.family_name), patronymic: c.patronymic && rnd.chance(0.6) ? russify(c.patronymic) : null,
        sex: rnd.chance(0.7) ? (c.sex as never) : null, birthDate: birth, placeOfBirth: c.place_of_birth && rnd.chance(0.5) ? russify(c.place_of_birth) : null,
        foundAt: `${dest[0]}, ${dest[1]}`, foundCountry: dest[0] === 'Belarus' ? 'BY' : 'RU', notes: 'Demo trace',
      });
    }
    if (rnd.chance(0.1)) {
      // A sibling nobody reported: same family, another name, another year.
      const female = rnd.chance(0.5);
      add({
        externalId: `D${++seq}`, givenName: rnd.pick(female ? GIVEN_FEMALE : GIVEN_MALE), familyName: russify(c.family_name),
        patronymic: c.patronymic ? russify(c.patronymic) : null, birthDate: `${y - rnd.int(1, 3)}-${pad(rnd.int(1, 12))}-${pad(rnd.int(1, 28))}`,
        placeOfBirth: c.place_of_birth, foundAt: `${dest[0]}, ${dest[1]}`, foundCountry: 'RU', notes: 'Demo trace (a sibling)',
      });
    }
  }
  for (let i = 0; i < 120; i++) {
    // Children nobody reported.
    const female = rnd.chance(0.5);
    add({
      externalId: `D${++seq}`, givenName: rnd.pick(female ? GIVEN_FEMALE : GIVEN_MALE), familyName: `${rnd.pick(['Сидор', 'Кузнец', 'Орл', 'Голуб', 'Зайц', 'Волк'])}${female ? 'ова' : 'ов'}`,
      birthDate: String(rnd.int(2008, 2020)), foundAt: rnd.pick(DESTINATIONS).join(', '), foundCountry: 'RU', notes: 'Demo trace (unreported)',
    });
  }
  const databank: CleanRecord[] = [];
  const rndBank = prng(20220224 + 10);
  for (const c of children) {
    if (!rndBank.chance(0.04)) continue;
    const clean = checkRecord({
      externalId: `B${databank.length + 1}`, givenName: RUSSIFIED[c.given_name] ?? c.given_name, familyName: `${russify(c.family_name)[0]}.`,
      sex: c.sex as never, birthDate: c.birth_date.slice(0, 7), foundAt: rndBank.pick(DESTINATIONS).join(', '), foundCountry: 'RU', notes: 'Demo trace (databank)',
    });
    if (!('field' in clean)) databank.push(clean);
  }
  bySource.set(DATABANK.name, databank);
  let traces = 0;
  await ds.transaction(async (em) => {
    for (const s of [...SOURCES, DATABANK]) {
      const written = await writeRecords(em, { source: s.name, kind: s.kind, userId: worker?.id ?? null, organizationId: worker?.organization_id ?? null }, bySource.get(s.name)!);
      traces += written.length;
    }
    await matchAll(em, { bands: bandsOf(loadConfig()), train: false });
  });
  log.info({ traces, ms: Date.now() - started }, 'seeded traces and match candidates');
  return { seeded: true, traces };
}
