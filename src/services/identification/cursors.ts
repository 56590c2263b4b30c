import { badInput } from '../../errors';

/*
 * The page cursors of the identification lists. A cursor is decoded strictly: only the exact form this API gives
 * out is taken. Looser checks let forged ones through to PostgreSQL ('1 ' or a timestamp with a zone as a time,
 * '1e22' as a score, 36 hyphens as an id), which answered with a database error instead of naming `after`.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const notACursor = () => badInput('after', 'is not a cursor this API gave out');

function decode(cursor: string): [string, string] {
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (parts.length !== 2 || !UUID.test(parts[1])) throw notACursor();
  return [parts[0], parts[1]];
}

/** The cursor of a row ordered by time (newest first), then id. */
export const timeCursor = (at: Date, id: string) => Buffer.from(`${at.toISOString()}|${id}`, 'utf8').toString('base64url');

/** The creation time and id a `timeCursor` holds; BAD_USER_INPUT naming `after` for anything else. */
export function decodeTimeCursor(cursor: string): { at: string; id: string } {
  const [at, id] = decode(cursor);
  const time = new Date(at);
  if (Number.isNaN(time.getTime()) || time.toISOString() !== at) throw notACursor();
  return { at, id };
}

/** The cursor of a row ordered by score (best first), then id. */
export const scoreCursor = (score: number, id: string) => Buffer.from(`${String(score)}|${id}`, 'utf8').toString('base64url');

/** The score and id a `scoreCursor` holds; BAD_USER_INPUT naming `after` for anything else. */
export function decodeScoreCursor(cursor: string): { score: number; id: string } {
  const [text, id] = decode(cursor);
  const score = Number(text);
  if (!Number.isFinite(score) || String(score) !== text) throw notACursor();
  return { score, id };
}
