import type { ApolloServerPlugin } from '@apollo/server';
import { BREAK, GraphQLError, visit, type DocumentNode } from 'graphql';
import { SENSITIVE_FIELDS } from '../auth/rules/fields';
import type { Context } from '../context';
import { withActor, type AuditRecord } from './AuditLog';

export type { AuditRecord } from './AuditLog';

/**
 * THE audit hook for writes: records `rec` in the audit log, in the transaction of `tx` (call it inside
 * `transactional`, after the checks and before the transaction's case event). Entries are appended when
 * the transaction's work is done (or just before `CaseService.recordEvent` takes the event order lock),
 * so the audit lock is always taken before the event lock and held only to commit.
 *
 *   audit(tx, { operation: 'CHANGE_STATUS', entityType: 'Case', entityId: c.id, fields: ['status'], values: { status } });
 */
export function audit(tx: Context, rec: AuditRecord): void {
  if (!tx.auditQueue) throw new Error('audit() records a change: call it inside transactional()');
  if (tx.auditQueue.sealed) throw new Error('audit() after the case event: call it before CaseService.recordEvent');
  tx.auditQueue.records.push(rec);
}

/**
 * Appends the queued entries of a transaction (transactional() and recordEvent call this; the dossier export
 * calls it before signing the checkpoint that must cover its entries).
 */
export async function flushAudit(tx: Context, seal = false): Promise<void> {
  const q = tx.auditQueue;
  if (!q) return;
  if (seal) q.sealed = true;
  if (q.records.length === 0) return;
  const records = q.records.splice(0, q.records.length);
  const actor = { actorId: tx.user?.id ?? null, organizationId: tx.user?.organizationId ?? null };
  await tx.deps.audit.append(tx.em, records.map((r) => withActor(actor, r)));
}

/** Notes a read of a sensitive field; the request's reads are appended (batched) before its response leaves. */
export function recordSensitiveRead(ctx: Context, entityType: string, entityId: string, field: string): void {
  if (!ctx.deps.config.auditReads || !ctx.user) return;
  // Runs for every sensitive field of every record a response reveals: nested maps and a short array, no key
  // string to build and hash, no Set per record.
  let ofType = ctx.auditReads.get(entityType);
  if (!ofType) ctx.auditReads.set(entityType, (ofType = new Map()));
  const fields = ofType.get(entityId);
  if (!fields) ofType.set(entityId, [field]);
  else if (!fields.includes(field)) fields.push(field);
  // Counted while the request runs, so that a group commit in progress waits for its reads (AuditLog.readerStarted).
  if (ctx.auditReadsOwned && !ctx.auditReadsCounted) {
    ctx.auditReadsCounted = ctx.deps.audit.readerStarted();
  }
  // Outside an HTTP request (a subscription's payload), nobody flushes at the end: do it on the next tick.
  if (!ctx.auditReadsOwned && !ctx.auditReadsScheduled) {
    ctx.auditReadsScheduled = true;
    setImmediate(() => {
      ctx.auditReadsScheduled = false;
      flushReads(ctx).catch((e) => ctx.deps.logger.error({ err: e }, 'audit: reads of a subscription were not recorded'));
    });
  }
}

export async function flushReads(ctx: Context): Promise<void> {
  let records: AuditRecord[] | undefined;
  try {
    if (ctx.auditReads.size === 0 || !ctx.user) return;
    records = [];
    for (const [entityType, ofType] of ctx.auditReads) {
      for (const [entityId, fields] of ofType) {
        records.push({ operation: 'READ', entityType, entityId, fields: fields.length > 1 ? fields.sort() : fields });
      }
    }
    ctx.auditReads.clear();
  } finally {
    // The request hands its ticket back just before its reads are queued, in the same tick: a group commit waiting for
    // it still takes them (it resumes on a later tick), and one they start does not wait for the request itself.
    if (ctx.auditReadsCounted) {
      const ticket = ctx.auditReadsCounted;
      ctx.auditReadsCounted = undefined;
      ctx.deps.audit.readerFinished(ticket);
    }
  }
  await ctx.deps.audit.recordReads({ actorId: ctx.user.id, organizationId: ctx.user.organizationId }, records);
}

const SENSITIVE_NAMES: ReadonlySet<string> = new Set(Object.values(SENSITIVE_FIELDS).flat());
const selectsSensitive = new WeakMap<DocumentNode, boolean>();

/**
 * Whether a document selects a field named like a sensitive field (of any type, in any operation or fragment:
 * a superset, decided once per parsed document, which Apollo caches and reuses for the same query text).
 */
export function maySelectSensitive(document: DocumentNode): boolean {
  let found = selectsSensitive.get(document);
  if (found === undefined) {
    found = false;
    visit(document, {
      Field(node) {
        if (!SENSITIVE_NAMES.has(node.name.value)) return undefined;
        found = true;
        return BREAK;
      },
    });
    selectsSensitive.set(document, found);
  }
  return found;
}

/**
 * Counts an HTTP GraphQL request as a possible reader from its arrival (the context function takes `ticket` from
 * `AuditLog.readerStarted` before it authenticates, and hands it here with the built context): a group commit then
 * waits for a request that is still authenticating or parsing, instead of committing without it and leaving it to a
 * commit of its own. Given back at once when nobody is signed in, by `auditReadsPlugin` when the operation selects no
 * sensitive field, after its reads are handed over otherwise, and in any case when the response is done (`res`
 * closes: a request Apollo refuses before its hooks run).
 */
export function adoptReaderTicket(ctx: Context, ticket: number, res: { once(event: 'close', listener: () => void): unknown }): void {
  if (!ctx.user || ctx.auditReadsCounted) {
    ctx.deps.audit.readerFinished(ticket);
    return;
  }
  ctx.auditReadsCounted = ticket;
  // Apollo runs the operation on a shallow copy of this context: the plugin's hand-back is not seen here, and
  // readerFinished is idempotent.
  res.once('close', () => ctx.deps.audit.readerFinished(ticket));
}

/**
 * Apollo plugin: a response that revealed sensitive fields is sent only once those reads are in the
 * audit log; when they cannot be recorded, the data is withheld (fail closed).
 *
 * A request counts as a reader from its arrival (adoptReaderTicket) or else from its operation's resolution, and
 * stays one only if its document may select a sensitive field: a group commit waits (up to `AUDIT_READ_GROUP_MS`)
 * until no such request is running, and commits all their reads together (docs/icc.md, "Group commit").
 */
export function auditReadsPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      contextValue.auditReadsOwned = true;
      return {
        async didResolveOperation({ contextValue: ctx, document }) {
          const mayRead = !!ctx.user && ctx.deps.config.auditReads && maySelectSensitive(document);
          if (mayRead && !ctx.auditReadsCounted) {
            ctx.auditReadsCounted = ctx.deps.audit.readerStarted();
          } else if (!mayRead && ctx.auditReadsCounted) {
            // Counted on arrival, but it cannot read a sensitive field: no flush waits for it any longer.
            const ticket = ctx.auditReadsCounted;
            ctx.auditReadsCounted = undefined;
            ctx.deps.audit.readerFinished(ticket);
          }
        },
        async willSendResponse({ contextValue: ctx, response }) {
          try {
            await flushReads(ctx);
          } catch {
            if (response.body.kind === 'single') {
              response.body.singleResult.data = null;
              response.body.singleResult.errors = [new GraphQLError('The audit log is unavailable: sensitive data withheld', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })];
            }
          }
        },
      };
    },
  };
}
