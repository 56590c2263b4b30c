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

interface ColumnInfo {
  property: string;
  column: string;
  /** Cast in SQL so that pg hands out what TypeORM would (see selectColumns). */
  cast: string;
  /** A timestamp, which JSON carries as text. */
  timestamp: boolean;
}

const columnLists = new WeakMap<DataSource, Map<string, ColumnInfo[]>>();

const columnsByTarget = new WeakMap<DataSource, Map<EntityTarget<ObjectLiteral>, ColumnInfo[]>>();

function columnsOf(ds: DataSource, entity: EntityTarget<ObjectLiteral>): ColumnInfo[] {
  // By the entity itself first: jsonEntity asks per guardian and event of a page, and TypeORM's metadata
  // lookup searches its list of entities.
  let byTarget = columnsByTarget.get(ds);
  if (!byTarget) columnsByTarget.set(ds, (byTarget = new Map()));
  const known = byTarget.get(entity);
  if (known) return known;
  let byName = columnLists.get(ds);
  if (!byName) columnLists.set(ds, (byName = new Map()));
  const meta = ds.getMetadata(entity);
  let cols = byName.get(meta.name);
  if (!cols) {
    cols = meta.columns.map((c) => {
      if (c.transformer) throw new Error(`rawRead: ${meta.name}.${c.propertyName} has a transformer; read it through TypeORM`);
      if (c.embeddedMetadata) throw new Error(`rawRead: ${meta.name}.${c.propertyName} is embedded; read it through TypeORM`);
      const type = String(c.type);
      const cast = type === 'date' ? (c.isArray ? '::text[]' : '::text') : (type === 'enum' && c.isArray) ? '::text[]' : type === 'bigint' ? '::text' : '';
      return { property: c.propertyName, column: c.databaseName, cast, timestamp: !c.isArray && /^timestamp/.test(type) };
    });
    byName.set(meta.name, cols);
  }
  byTarget.set(entity, cols);
  return cols;
}

const selectLists = new Map<string, string>();

/**
 * The select list of every column of `entity` on the row aliased `alias`, each named by its property after
 * `prefix` (so a row needs no renaming): dates as text (TypeORM hands out `date` columns as 'YYYY-MM-DD'
 * strings), enum arrays as text arrays (pg knows no parser for them), bigints as text (as TypeORM and pg do).
 */
export function selectColumns(ds: DataSource, entity: EntityTarget<ObjectLiteral>, alias: string, prefix = ''): string {
  const key = `${ds.getMetadata(entity).name}|${alias}|${prefix}`;
  let list = selectLists.get(key);
  if (list === undefined) {
    list = columnsOf(ds, entity).map((c) => `${alias}.${c.column}${c.cast} AS "${prefix}${c.property}"`).join(', ');
    selectLists.set(key, list);
  }
  return list;
}

/** Rows whose keys are property names (see selectColumns) as instances of the entity class. */
export function asEntities<T extends object>(entity: Ctor<T>, rows: QueryResultRow[]): T[] {
  const out: T[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = Object.assign(new entity(), rows[i]);
  return out;
}

/** The entity whose columns a row carries under `prefix` (selectColumns with that prefix); null when its id is. */
export function prefixedEntity<T extends object>(ds: DataSource, entity: Ctor<T>, row: QueryResultRow, prefix: string): T | null {
  const { properties, keys } = prefixedKeys(ds, entity, prefix);
  const id = row[keys[properties.indexOf('id')]];
  if (id === null || id === undefined) return null;
  const out = new entity() as Record<string, unknown>;
  for (let i = 0; i < keys.length; i++) out[properties[i]] = row[keys[i]];
  return out as T;
}

const prefixedKeyLists = new WeakMap<DataSource, Map<EntityTarget<ObjectLiteral>, Map<string, { properties: string[]; keys: string[] }>>>();

/** The entity's properties and the row keys selectColumns gives them under `prefix`, built once (a page reads them per row). */
function prefixedKeys(ds: DataSource, entity: EntityTarget<ObjectLiteral>, prefix: string): { properties: string[]; keys: string[] } {
  // Keyed by the entity itself: looking its metadata up (TypeORM searches its list) per row would cost more.
  let byEntity = prefixedKeyLists.get(ds);
  if (!byEntity) prefixedKeyLists.set(ds, (byEntity = new Map()));
  let byPrefix = byEntity.get(entity);
  if (!byPrefix) byEntity.set(entity, (byPrefix = new Map()));
  let lists = byPrefix.get(prefix);
  if (!lists) {
    const properties = columnsOf(ds, entity).map((c) => c.property);
    lists = { properties, keys: properties.map((p) => `${prefix}${p}`) };
    byPrefix.set(prefix, lists);
  }
  return lists;
}

/** SQL building a JSON object of every column of `entity` on `alias`, keyed by property (see jsonEntity). */
export function jsonColumns(ds: DataSource, entity: EntityTarget<ObjectLiteral>, alias: string): string {
  return `json_build_object(${columnsOf(ds, entity).map((c) => `'${c.property}', ${alias}.${c.column}${c.cast}`).join(', ')})`;
}

/** An entity from an object built by jsonColumns: timestamps back to Date, the rest as JSON gave it. */
export function jsonEntity<T extends object>(ds: DataSource, entity: Ctor<T>, obj: Record<string, unknown>): T {
  const out = Object.assign(new entity(), obj) as Record<string, unknown>;
  for (const c of columnsOf(ds, entity)) {
    if (c.timestamp && typeof out[c.property] === 'string') out[c.property] = new Date(out[c.property] as string);
  }
  return out as T;
}

/**
 * SQL with TypeORM-style named parameters (`:name`, `:...list`) as positional SQL from `$first` on, and the
 * values in order. A list becomes one array parameter (`= ANY($n)`, `<> ALL($n)`), so the text does not change
 * with its length. A name used twice gets one number.
 */
export function positionalSql(sql: string, params: Readonly<Record<string, unknown>>, first: number): { sql: string; values: unknown[] } {
  const index = new Map<string, number>();
  const values: unknown[] = [];
  const at = (name: string) => {
    if (!(name in params)) throw new Error(`positionalSql: no parameter ${name}`);
    let n = index.get(name);
    if (n === undefined) {
      n = first + values.length;
      index.set(name, n);
      values.push(params[name]);
    }
    return `$${n}`;
  };
  const out = sql
    .replace(/\bNOT IN \(:\.\.\.(\w+)\)/g, (_m, name: string) => `<> ALL(${at(name)})`)
    .replace(/\bIN \(:\.\.\.(\w+)\)/g, (_m, name: string) => `= ANY(${at(name)})`)
    .replace(/(?<![:\w]):(\w+)/g, (_m, name: string) => at(name));
  return { sql: out, values };
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
