import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { Action, AppAbility } from '../ability';
import { accessCondition, fieldAccessCondition } from '../caslToSql';
import { positionalSql } from '../../db/rawRead';

/** Adds the CASL filter for `action` on `subject` to a query builder whose root alias is `alias`. */
export function whereAccessible<T extends ObjectLiteral>(
  ctx: { ability: AppAbility }, qb: SelectQueryBuilder<T>, action: Action, subject: string, alias: string,
): SelectQueryBuilder<T> {
  const cond = accessCondition(ctx.ability, action, subject, alias);
  return qb.andWhere(cond.sql, cond.params);
}

/**
 * What a filter argument may test: `field` of `subject` on the row aliased `alias`, only where the reader
 * may read that field. Returns SQL to AND with the filter's own test, or null when every rule that lets the
 * reader see such a row also grants the field (the row's read filter already implies it).
 */
export function readableFieldFilter(ability: AppAbility, subject: string, field: string, alias: string): { sql: string; params: Record<string, unknown> } | null {
  if (grantsOnEveryRow(ability, subject, field)) return null;
  return fieldAccessCondition(ability, 'read', subject, field, alias);
}

/** Whether every rule that lets the reader read some `subject` also grants `field` (no condition to evaluate). */
export function grantsOnEveryRow(ability: AppAbility, subject: string, field: string): boolean {
  return fieldVerdict(ability, subject, field) === 'allow';
}

export type FieldVerdict = 'allow' | 'deny' | 'check';
const verdicts = new WeakMap<AppAbility, Map<string, FieldVerdict>>();

/**
 * What the rules say about reading `field` on a readable row of `subject`, before looking at the row:
 * granted by every read rule ('allow'), by none ('deny'), or by some, depending on the row ('check').
 * Cached per (immutable) ability; `key` (`subject.field`) may be passed already built (the field guard, per field).
 */
export function fieldVerdict(ability: AppAbility, subject: string, field: string, key = `${subject}.${field}`): FieldVerdict {
  let byKey = verdicts.get(ability);
  if (!byKey) verdicts.set(ability, (byKey = new Map()));
  let v = byKey.get(key);
  if (v === undefined) {
    const all = ability.rulesFor('read', subject as never);
    const granting = ability.rulesFor('read', subject as never, field);
    if (!granting.some((r) => !r.inverted)) v = 'deny';
    else if (all.some((r) => r.inverted) || granting.length !== all.length) v = 'check';
    else v = 'allow';
    byKey.set(key, v);
  }
  return v;
}

/** A CASL filter as positional SQL for a raw statement (src/db/rawRead.ts): `$n` from `first` on, and their values. */
export interface PositionalCondition {
  sql: string;
  values: unknown[];
}

const positional = new WeakMap<object, Map<number, PositionalCondition>>();

/**
 * The CASL filter for `action` on `subject` over the row aliased `alias` (accessCondition), with its named
 * parameters numbered from `$first` on. A list parameter (`IN (:...x)`) becomes one array parameter
 * (`= ANY($n)`), so the text does not change with the list's length. Cached per ability, like the condition:
 * identical requests of a role send identical text.
 */
export function accessConditionAt(ability: AppAbility, action: Action, subject: string, alias: string, first: number): PositionalCondition {
  const cond = accessCondition(ability, action, subject, alias);
  let byFirst = positional.get(cond);
  if (!byFirst) positional.set(cond, (byFirst = new Map()));
  let out = byFirst.get(first);
  if (!out) {
    const { sql, values } = positionalSql(cond.sql, cond.params, first);
    out = Object.freeze({ sql, values: Object.freeze(values) as unknown[] });
    byFirst.set(first, out);
  }
  return out;
}
