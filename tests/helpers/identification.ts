import crypto from 'node:crypto';

/**
 * A random surname stem in letters that Ukrainian and Russian share (so the two spellings of the surname
 * differ only where the languages do): tests and benchmarks make their own families this way.
 */
export function randomStem(syllables = 3): string {
  const c = 'бвдзклмнпрстф';
  const v = 'аоу';
  const bytes = crypto.randomBytes(syllables * 2);
  let s = '';
  for (let i = 0; i < syllables; i++) s += c[bytes[2 * i] % c.length] + v[bytes[2 * i + 1] % v.length];
  return s[0].toUpperCase() + s.slice(1);
}

export const IMPORT = `mutation($input: ImportExternalRecordsInput!) {
  importExternalRecords(input: $input) { imported updated unchanged candidates rejected { index field message } }
}`;

export const CANDIDATES = `query($filter: MatchCandidateFilter, $first: Int) {
  matchCandidates(filter: $filter, first: $first) {
    totalCount
    edges { node { id score probability band status version note decidedAt modelVersion
      explanation { field level weight childValue recordValue }
      child { id givenName } externalRecord { id externalId givenName familyName foundAt foundCountry } } }
  }
}`;

export const CONFIRM = `mutation($input: DecideMatchInput!) { confirmMatch(input: $input) { id status version note decidedBy { organization { id } displayName } } }`;
export const REJECT = `mutation($input: DecideMatchInput!) { rejectMatch(input: $input) { id status version } }`;
