import { isISO31661Alpha2 } from 'class-validator';
import { Sex } from '../../schema/enums';
import type { ExternalRecordInput } from '../../schema/identification/inputs';
import { checkText } from '../../schema/inputNormaliser';

/** A trace's fields after checking: trimmed, Unicode-normalised, empty text as null. */
export interface CleanRecord {
  externalId: string;
  sourceUrl: string | null;
  observedAt: string | null;
  givenName: string | null;
  familyName: string | null;
  patronymic: string | null;
  sex: Sex | null;
  birthDate: string | null;
  placeOfBirth: string | null;
  foundAt: string | null;
  foundCountry: string | null;
  notes: string | null;
}

export interface FieldProblem {
  field: string;
  message: string;
}

// A name begins with a letter: one of combining marks only (U+0301 alone) named nobody and was stored.
const NAME = /^\p{L}[\p{L}\p{M}'’ʼ.\- ]*$/u;
const today = () => new Date().toISOString().slice(0, 10);

const TEXT_FIELDS = ['externalId', 'sourceUrl', 'observedAt', 'givenName', 'familyName', 'patronymic', 'birthDate', 'placeOfBirth', 'foundAt', 'foundCountry', 'notes'] as const;
type TextField = (typeof TEXT_FIELDS)[number];

/**
 * The record's text fields through the API's one text check (`checkText`: control and invisible characters, lone
 * surrogates, length; NFC, trimmed, blank as null), here per record so that a bad one is rejected alone: the
 * GraphQL layer leaves the import's records to this check, and the file import comes here directly.
 */
function texts(r: ExternalRecordInput): Record<TextField, string | null> | FieldProblem {
  const out = {} as Record<TextField, string | null>;
  for (const f of TEXT_FIELDS) {
    const v = (r as unknown as Record<string, unknown>)[f];
    if (v === undefined || v === null) { out[f] = null; continue; }
    const checked = checkText(String(v), f);
    if ('problem' in checked) return { field: f, message: checked.problem };
    out[f] = checked.value;
  }
  return out;
}

function realDate(y: number, m: number, d: number): boolean {
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

/** Checks a birth date written `YYYY-MM-DD`, `YYYY-MM` or `YYYY`: a real date, after 1990, not in the future. */
export function checkPartialDate(v: string): string | null {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(v);
  if (!m) return 'must be YYYY-MM-DD, YYYY-MM or YYYY';
  const y = Number(m[1]);
  const mo = m[2] ? Number(m[2]) : 1;
  const d = m[3] ? Number(m[3]) : 1;
  if (mo < 1 || mo > 12 || !realDate(y, mo, d)) return 'is not a real date';
  if (y < 1990 || v > today().slice(0, v.length)) return 'must be between 1990 and today';
  return null;
}

/** Checks and normalises one trace; returns its first problem instead when it has one. */
export function checkRecord(r: ExternalRecordInput): CleanRecord | FieldProblem {
  const t = texts(r);
  if ('field' in t) return t;
  // A country code is two ASCII letters: 'ß' and 'ıt' upper-case to SS (South Sudan) and IT, here and in the check.
  const country = t.foundCountry && /^[A-Za-z]{2}$/.test(t.foundCountry) ? t.foundCountry.toUpperCase() : t.foundCountry;
  // Written as the enum value in any case ("male" is MALE); anything else is this record's problem (SexValue).
  const sex = typeof r.sex === 'string' ? (r.sex.trim().toUpperCase() || null) as Sex | null : r.sex ?? null;
  const out: CleanRecord = { ...t, externalId: t.externalId ?? '', sex, foundCountry: country };
  if (!out.externalId) return { field: 'externalId', message: 'is required' };
  if (out.externalId.length > 200) return { field: 'externalId', message: 'must be at most 200 characters' };
  if (!out.givenName && !out.familyName) return { field: 'familyName', message: 'a trace needs a given or a family name' };
  for (const f of ['givenName', 'familyName', 'patronymic'] as const) {
    const v = out[f];
    if (v === null) continue;
    if (v.length > 100) return { field: f, message: 'must be at most 100 characters' };
    if (!NAME.test(v)) return { field: f, message: 'must be letters (any script), spaces, hyphens or apostrophes' };
  }
  if (out.sex !== null && !Object.values(Sex).includes(out.sex)) return { field: 'sex', message: 'must be FEMALE, MALE or UNKNOWN' };
  if (out.sex === Sex.UNKNOWN) out.sex = null;
  if (out.birthDate !== null) {
    const problem = checkPartialDate(out.birthDate);
    if (problem) return { field: 'birthDate', message: problem };
  }
  if (out.observedAt !== null) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(out.observedAt);
    if (!m || !realDate(+m[1], +m[2], +m[3])) return { field: 'observedAt', message: 'must be a real date YYYY-MM-DD' };
    if (out.observedAt > today() || out.observedAt < '1990-01-01') return { field: 'observedAt', message: 'must be between 1990 and today' };
  }
  if (out.sourceUrl !== null) {
    if (out.sourceUrl.length > 2000 || !/^https?:\/\/\S+$/i.test(out.sourceUrl)) return { field: 'sourceUrl', message: 'must be an http(s) URL' };
  }
  if (out.placeOfBirth !== null && out.placeOfBirth.length > 200) return { field: 'placeOfBirth', message: 'must be at most 200 characters' };
  if (out.foundAt !== null && out.foundAt.length > 500) return { field: 'foundAt', message: 'must be at most 500 characters' };
  if (out.foundCountry !== null && (!/^[A-Z]{2}$/.test(out.foundCountry) || !isISO31661Alpha2(out.foundCountry))) return { field: 'foundCountry', message: 'must be an ISO 3166-1 alpha-2 code such as RU' };
  if (out.notes !== null && out.notes.length > 4000) return { field: 'notes', message: 'must be at most 4000 characters' };
  return out;
}
