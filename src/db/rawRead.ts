import crypto from 'node:crypto';
import type { Pool, QueryResultRow } from 'pg';
import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

/*
 * The read path's statements without TypeORM's query builder and entity hydration (issue 11: building the SQL
 * and hydrating every column cost about a fifth of the hub's CPU under load). Each statement has a fixed text,
 * is sent to the pool as a named prepared statement (PostgreSQL parses and plans it once per connection), and
 * its rows come back with the entity's property names, ready to be given the entity's prototype.
 */

type Ctor<T> = new () => T;

const selectLists = new WeakMap<DataSource, Map<string, string>>();

/**
 * The select list of every column of `entity` on the row aliased `alias`, each named by its property (so a
 * row needs no renaming): dates as text (TypeORM hands out `date` columns as 'YYYY-MM-DD' strings), enum
 * arrays as text arrays (pg knows no parser for them). Built once per entity and alias from the metadata.
 */
export function selectColumns(ds: DataSource, entity: EntityTarget<ObjectLiteral>, alias: string): string {
  let byKey = selectLists.get(ds);
  if (!byKey) selectLists.set(ds, (byKey = new Map()));
  const meta = ds.getMetadata(entity);
  const key = `${meta.name}|${alias}`;
  let list = byKey.get(key);
  if (list === undefined) {
    list = meta.columns.map((c) => {
      if (c.transformer) throw new Error(`rawRead: ${meta.name}.${c.propertyName} has a transformer; read it through TypeORM`);
      if (c.embeddedMetadata) throw new Error(`rawRead: ${meta.name}.${c.propertyName} is embedded; read it through TypeORM`);
      const cast = c.type === 'date' ? (c.isArray ? '::text[]' : '::text') : c.type === 'enum' && c.isArray ? '::text[]' : '';
      return `${alias}.${c.databaseName}${cast} AS "${c.propertyName}"`;
    }).join(', ');
    byKey.set(key, list);
  }
  return list;
}

/** Rows whose keys are property names (see selectColumns) as instances of the entity class. */
export function asEntities<T extends object>(entity: Ctor<T>, rows: QueryResultRow[]): T[] {
  const out: T[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = Object.assign(new entity(), rows[i]);
  return out;
}

const statementNames = new Map<string, string>();

/** A prepared statement's name, the same for the same text in every process (a digest of the text). */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `bkb_${crypto.createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    // Read-path texts are fixed per role and shape, so this stays small; a bound keeps it so whatever happens.
    if (statementNames.size > 5000) statementNames.clear();
    statementNames.set(text, name);
  }
  return name;
}

/**
 * Runs one read statement on the data source's pool as a named prepared statement. Outside any transaction
 * (the loaders read committed data through the data source, not a transaction's manager). Logged like
 * TypeORM's own statements when the data source logs queries (tests count statements through that logger).
 */
export async function readRows<R extends QueryResultRow>(ds: DataSource, text: string, values: unknown[]): Promise<R[]> {
  if (ds.options.logging) ds.logger.logQuery(text, values);
  const pool = (ds.driver as unknown as { master: Pool }).master;
  const res = await pool.query<R>({ name: statementName(text), text, values });
  return res.rows;
}
