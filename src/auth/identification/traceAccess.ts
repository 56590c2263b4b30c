import { subject } from '@casl/ability';
import type { Context } from '../../context';
import type { Child, ExternalRecord } from '../../entities';
import { caseFactsOf } from '../access/accessFacts';
import { canReadField } from '../fieldGuard';
import { accessConditionWith, type Hoist, type RelationBindings } from '../caslToSql';
import type { AppAbility } from '../ability';

/**
 * `foundAt` follows the rule of a child's current location: a reader who may see every child's current
 * location sees it, and otherwise only where it may see the current location of the child the trace is linked
 * to or, while it is linked to none, of a child it is an OPEN candidate for (`traceChildren`, a batched loader
 * the caller passes). Once a person confirmed the trace as a child, foundAt is where that child is: the case
 * worker of a child whose candidate was rejected or superseded no longer sees it (the trace itself stays
 * readable to them as their child's history). The trace itself has already passed the SQL row filter.
 */
export async function canReadFoundAt(ctx: Context, record: ExternalRecord, traceChildren: (recordId: string) => Promise<string[]>): Promise<boolean> {
  if (!ctx.user || !ctx.ability.can('read', 'ExternalRecord', 'foundAt')) return false;
  // An unconditional grant: no case, placement or assignment facts are needed to allow it.
  if (ctx.ability.can('read', subject('Child', { id: '' }) as never, 'currentLocation')) return true;
  const childIds = await traceChildren(record.id);
  const allowed = await Promise.all(childIds.map((id) => canReadField(ctx, 'Child', { id }, 'currentLocation')));
  return allowed.some(Boolean);
}

/** Whether the reader may read the match candidates of this child (the SQL rule of MatchCandidate, judged on one child). */
export async function canReadCandidatesOf(ctx: Context, childId: string): Promise<boolean> {
  if (!ctx.user || ctx.ability.rulesFor('read', 'MatchCandidate').length === 0) return false;
  const facts = await ctx.loaders.accessFacts.load(childId);
  return ctx.ability.can('read', subject('MatchCandidate', { childId, child: { id: childId, case: facts ? caseFactsOf(facts) : null } }) as never);
}

/**
 * `Child.aliases` as this reader may see them: the spellings that came from confirmed traces (the row's
 * `traceAliases`, else `traceAliases`, a batched loader the caller passes) only for readers of the child's candidates. Traces are read by those alone; a
 * SUMMARY partner or centre staff would otherwise read the name a Russian registry gives the child.
 */
export async function visibleAliases(
  ctx: Context, child: Pick<Child, 'id' | 'aliases'> & { traceAliases?: string[] }, traceAliases: (childId: string) => Promise<string[]>,
): Promise<string[] | null> {
  if (!child.aliases) return child.aliases ?? null;
  // A child read as an entity carries them; a record built some other way has them loaded (never assumed empty).
  const fromTraces = child.traceAliases ?? await traceAliases(child.id);
  if (fromTraces.length === 0 || !child.aliases.some((a) => fromTraces.includes(a))) return child.aliases;
  if (await canReadCandidatesOf(ctx, child.id)) return child.aliases;
  return child.aliases.filter((a) => !fromTraces.includes(a));
}

/**
 * SQL that holds on the child row aliased `childAlias` where the reader may read that child's match candidates:
 * the MatchCandidate rule with its `child` bound to the row ('TRUE' for readers of every candidate, 'FALSE' for none,
 * and for inverted rules, which this does not translate). Name search uses it, and the compiled `cases` path for
 * `Child.aliases` with its own alias, its case binding and its hoisting.
 */
export function candidateReaderSql(
  ability: AppAbility, childAlias: string,
  opts: { alias?: string; bound?: RelationBindings; hoist?: Hoist } = {},
): { sql: string; params: Record<string, unknown> } {
  const rules = ability.rulesFor('read', 'MatchCandidate');
  if (rules.length === 0 || rules.some((r) => r.inverted)) return { sql: 'FALSE', params: {} };
  if (rules.some((r) => !r.conditions)) return { sql: 'TRUE', params: {} };
  const mc = opts.alias ?? `${childAlias}_mcr`;
  const c = accessConditionWith(ability, 'read', 'MatchCandidate', mc, undefined, { child: childAlias, ...opts.bound }, opts.hoist ?? (() => undefined));
  return { sql: `EXISTS (SELECT 1 FROM (SELECT ${childAlias}.id AS child_id) ${mc} WHERE ${c.sql})`, params: c.params };
}
