import {
  getNullableType, isInputObjectType, isListType, isNonNullType, isScalarType,
  type GraphQLArgument, type GraphQLInputField, type GraphQLInputType,
} from 'graphql';
import { badInput } from '../errors';

/**
 * The one place text input is normalised and checked, for every String and ID argument and input field of
 * every operation (HTTP and WebSocket), before class-validator and the services see it:
 *
 * - refused: lone surrogates (they would be stored as U+FFFD), NUL and other control characters (ANSI
 *   escapes among them), bidirectional overrides and isolates (a name that displays as another), Unicode
 *   noncharacters, and strings longer than MAX_TEXT_LENGTH;
 * - single-line fields (all but free-text notes, see MULTI_LINE) also refuse line breaks, tabs and
 *   invisible characters (zero-width space, BOM, directional marks);
 * - normalised: NFC, trimmed, and in single-line fields runs of white space become one space;
 * - a blank string (empty after trimming) is null where the field is nullable and refused where it is not;
 * - an explicit null for an input field that has a default is refused (omit the field to get the default).
 *
 * Passwords are checked (well-formed, no NUL) but never changed: they are compared byte for byte.
 */
export const MAX_TEXT_LENGTH = 10_000;

/** Free-text fields that may hold several lines (and tabs). */
const MULTI_LINE = /^(note|notes|healthNotes|deportationCircumstances|currentLocation|circumstances|description|comment)$/;
const SECRET = /password/i;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// C0 controls but tab, LF and CR; DEL; C1 controls. ESC (ANSI escapes) and NUL are among them.
const CONTROL_MULTI = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const CONTROL_SINGLE = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;
// Embeddings, overrides and isolates: text that displays in another order than it is stored.
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;
// Invisible characters that make two equal-looking names differ; allowed only in free text.
const INVISIBLE = /[\u200B\u200E\u200F\u061C\u2060\uFEFF\u180E]/;
const NONCHARACTER = /[\uFDD0-\uFDEF\uFFFE\uFFFF]/;

/**
 * Checks and normalises one string without throwing: the normalised value (null when blank), or the problem.
 * `name` is the field's own name (it decides single-line or free text, and whether it is a secret).
 */
export function checkText(value: string, name: string): { value: string | null } | { problem: string } {
  if (value.length > MAX_TEXT_LENGTH) return { problem: `is longer than ${MAX_TEXT_LENGTH} characters` };
  if (LONE_SURROGATE.test(value)) return { problem: 'contains an invalid Unicode sequence (a lone surrogate)' };
  if (SECRET.test(name)) return value.includes('\u0000') ? { problem: 'contains a NUL character' } : { value };
  const multiLine = MULTI_LINE.test(name);
  if ((multiLine ? CONTROL_MULTI : CONTROL_SINGLE).test(value)) {
    return { problem: multiLine ? 'contains a control character' : 'contains a control character or line break' };
  }
  if (BIDI_CONTROL.test(value)) return { problem: 'contains a bidirectional override or isolate character' };
  if (NONCHARACTER.test(value)) return { problem: 'contains a Unicode noncharacter' };
  if (!multiLine && INVISIBLE.test(value)) return { problem: 'contains an invisible formatting character' };
  let out = value.normalize('NFC').trim();
  if (multiLine) out = out.replace(/\r\n?/g, '\n');
  else out = out.replace(/\s+/g, ' ');
  return { value: out.length === 0 ? null : out };
}

/** Normalises one string; throws BAD_USER_INPUT naming `field`. Returns null for a blank string. */
export function normaliseText(value: string, field: string, name: string): string | null {
  const checked = checkText(value, name);
  if ('problem' in checked) throw badInput(field, checked.problem);
  return checked.value;
}

/**
 * Lists whose items the service checks one by one with `checkText`, so that a bad item is rejected with its index
 * and the others are kept (issue 9: an import keeps the valid records of a call). Left as sent here.
 */
const CHECKED_ITEM_BY_ITEM = new Set(['ImportExternalRecordsInput.records']);

/** Normalises a field's arguments as coerced by graphql; returns new objects, never mutating the originals. */
export function normaliseArgs(args: Record<string, unknown>, defs: readonly GraphQLArgument[]): Record<string, unknown> {
  let out: Record<string, unknown> | null = null;
  for (const def of defs) {
    if (!(def.name in args)) continue;
    const before = args[def.name];
    const after = normaliseValue(before, def.type, def.name, def.name);
    if (after !== before) (out ??= { ...args })[def.name] = after;
  }
  return out ?? args;
}

function normaliseValue(value: unknown, type: GraphQLInputType, path: string, name: string): unknown {
  if (value === null || value === undefined) return value;
  const nonNull = isNonNullType(type);
  const inner = getNullableType(type);
  if (isListType(inner)) {
    if (!Array.isArray(value)) return value;
    let changed = false;
    const items = value.map((item, i) => {
      const n = normaliseValue(item, inner.ofType, `${path}.${i}`, name);
      if (n !== item) changed = true;
      return n;
    });
    return changed ? items : value;
  }
  if (isInputObjectType(inner)) {
    if (typeof value !== 'object') return value;
    const obj = value as Record<string, unknown>;
    let out: Record<string, unknown> | null = null;
    for (const f of Object.values(inner.getFields()) as GraphQLInputField[]) {
      if (!(f.name in obj) || CHECKED_ITEM_BY_ITEM.has(`${inner.name}.${f.name}`)) continue;
      const before = obj[f.name];
      const fieldPath = `${path}.${f.name}`;
      if (before === null && f.defaultValue !== undefined) {
        throw badInput(fieldPath, `must not be null: omit it for the default (${JSON.stringify(f.defaultValue)})`);
      }
      const after = normaliseValue(before, f.type, fieldPath, f.name);
      if (after !== before) (out ??= { ...obj })[f.name] = after;
    }
    return out ?? value;
  }
  if (isScalarType(inner) && (inner.name === 'String' || inner.name === 'ID') && typeof value === 'string') {
    const n = normaliseText(value, path, name);
    if (n === null && nonNull) throw badInput(path, 'must not be blank');
    return n;
  }
  return value;
}
