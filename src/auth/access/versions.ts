import type { DataSource } from 'typeorm';
import type { Context } from '../../context';
import { Case, Child, Session } from '../../entities';
import type { FieldChanges } from '../../entities/FieldChanges';
import { accessSubject } from './fieldGuard';
import { fieldVerdict } from './whereAccessible';
import { canReadCandidatesOf } from '../identification/traceAccess';

/**
 * Record types whose `version` and `updatedAt` are shown per reader: the types some role reads only in part
 * together with a change stamp (a unit test walks the rules and fails on any other such type). Each has a
 * `field_changes` column kept by the trigger of migration 1764900000801.
 */
export const PER_READER_STAMPS = { Case, Child, Session } as const;
export type VersionedType = keyof typeof PER_READER_STAMPS;

/**
 * Writes that bump the stored version without changing a column of the row: a case's version also moves when
 * its share list changes. Only a reader of these fields may see the stored version.
 */
const NON_COLUMN_CHANGES: Record<VersionedType, string[]> = { Case: ['shares'], Child: [], Session: [] };
const BOOKKEEPING = new Set(['id', 'version', 'created_at', 'updated_at', 'field_changes']);

/** A field whose changes move the stored version: the GraphQL (CASL) field name, and the column counted for it. */
interface VersionedField { field: string; column: string | null }
const fieldsCache = new WeakMap<DataSource, Map<VersionedType, VersionedField[]>>();

/**
 * Every field of the type whose change moves its stored version, derived from the entity's columns, so a
 * column added later is covered without being listed here. A reference column counts as the field that shows
 * it: its relation's (`lead_organization_id` is `leadOrganization`), else the field named without `Id`
 * (`room_id` is `room`, resolved by a field resolver). Columns with no GraphQL field (`search_text`) are granted
 * only by unrestricted read rules, so a partial reader never counts them.
 */
function versionedFields(ds: DataSource, type: VersionedType): VersionedField[] {
  let byType = fieldsCache.get(ds);
  if (!byType) fieldsCache.set(ds, (byType = new Map()));
  let fields = byType.get(type);
  if (!fields) {
    const meta = ds.getMetadata(PER_READER_STAMPS[type]);
    const relationOf = new Map<string, string>();
    for (const r of meta.manyToOneRelations) for (const j of r.joinColumns) relationOf.set(j.databaseName, r.propertyName);
    const seen = new Set<string>();
    fields = [];
    for (const c of meta.columns) {
      if (BOOKKEEPING.has(c.databaseName) || seen.has(c.databaseName)) continue;
      seen.add(c.databaseName);
      fields.push({ field: relationOf.get(c.databaseName) ?? c.propertyName.replace(/(.)Id$/, '$1'), column: c.databaseName });
    }
    for (const field of NON_COLUMN_CHANGES[type]) fields.push({ field, column: null });
    byType.set(type, fields);
  }
  return fields;
}

type Row = Record<string, unknown> & { id: string; version?: number; createdAt: Date; updatedAt: Date; fieldChanges?: FieldChanges };

/**
 * The version and update time of a case or child as this reader may know them (issue 8, point 2). A reader of
 * every field whose change moves the version (the writers: they send it back as `expectedVersion`) gets the
 * stored ones. Any other reader (a SUMMARY partner, a specialist, the council without health data) gets them
 * computed from the fields it may read alone: 1 + the number of changes to those fields, and the time of the
 * last of them (else the creation time). An edit of a hidden field or a change of the share list then moves
 * nothing it sees; a change it may see moves both. Such readers cannot write the record, so the number is
 * never sent back as an expected version (lockForWrite refuses it with FORBIDDEN before comparing versions).
 * Today every role that writes a case or child reads all of it; a role given a write on a record it reads only
 * in part would need the stored version too, and with it every field (the number alone tells of hidden edits).
 */
export async function versionFor(ctx: Context, type: VersionedType, row: Row): Promise<{ version: number; updatedAt: Date }> {
  const stored = { version: row.version ?? 1, updatedAt: row.updatedAt };
  const fields = versionedFields(ctx.deps.dataSource, type);
  let subject: Promise<unknown> | null = null;
  const readable: VersionedField[] = [];
  for (const f of fields) {
    const verdict = fieldVerdict(ctx.ability, type, f.field);
    let can = verdict === 'allow';
    if (verdict === 'check') {
      subject ??= accessSubject(ctx, type, row);
      can = ctx.ability.can('read', (await subject) as never, f.field);
    }
    if (can) readable.push(f);
  }
  if (readable.length === fields.length) return stored;
  // A child's aliases as Child.aliases shows them: the confirmed traces' spellings among them count apart (migration
  // 1764900003231), for the readers of the child's match candidates alone, who are shown them.
  const columns = readable.map((f) => f.column);
  if (type === 'Child' && readable.some((f) => f.field === 'aliases') && await canReadCandidatesOf(ctx, row.id)) columns.push('trace_spellings');
  const changes = row.fieldChanges ?? {};
  let version = 1;
  let updatedAt = row.createdAt;
  for (const column of columns) {
    const c = column ? changes[column] : undefined;
    if (!c) continue;
    version += c.n;
    const at = new Date(c.at);
    if (at > updatedAt) updatedAt = at;
  }
  return { version, updatedAt };
}
