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
  let recorded: Promise<void> | undefined;
  try {
    if (ctx.auditReads.size === 0 || !ctx.user) return;
    const records: AuditRecord[] = [];
    for (const [entityType, ofType] of ctx.auditReads) {
      for (const [entityId, fields] of ofType) {
        records.push({ operation: 'READ', entityType, entityId, fields: fields.length > 1 ? fields.sort() : fields });
      }
    }
    ctx.auditReads.clear();
    recorded = ctx.deps.audit.recordReads({ actorId: ctx.user.id, organizationId: ctx.user.organizationId }, records);
  } finally {
    // The reads are queued (synchronously, in recordReads): a group commit waiting for this request goes ahead.
    if (ctx.auditReadsCounted) {
      const ticket = ctx.auditReadsCounted;
      ctx.auditReadsCounted = undefined;
      ctx.deps.audit.readerFinished(ticket);
    }
  }
  await recorded;
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
 * Apollo plugin: a response that revealed sensitive fields is sent only once those reads are in the
 * audit log; when they cannot be recorded, the data is withheld (fail closed).
 *
 * An operation that may read a sensitive field is counted as a reader from the moment it is resolved (before it
 * executes), not from its first sensitive field: a group commit then waits (up to `AUDIT_READ_GROUP_MS`) for the
 * requests already executing when it began, which under load are most of them, and commits their reads together.
 * Counted from the first sensitive field, a request joined late in its execution, and a flush found few to wait for
 * (0.3-0.45 appends per request at 10 concurrent readers, docs/icc.md).
 */
export function auditReadsPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      contextValue.auditReadsOwned = true;
      return {
        async didResolveOperation({ contextValue: ctx, document }) {
          if (!ctx.auditReadsCounted && ctx.user && ctx.deps.config.auditReads && maySelectSensitive(document)) {
            ctx.auditReadsCounted = ctx.deps.audit.readerStarted();
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
