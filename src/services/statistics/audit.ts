import { audit } from '../../audit/audit';
import { transactional } from '../../context';
import type { Context } from '../../context';
import type { StatisticsFilter } from '../../schema/statistics/types';

/**
 * A coordinator read statistics without suppression: one structured log line and one entry in the
 * tamper-evident audit log (src/audit), written before the figures are returned.
 */
export async function auditUnsuppressedStatistics(ctx: Context, filter: StatisticsFilter | undefined): Promise<void> {
  ctx.deps.logger.warn({
    audit: 'statistics.unsuppressed',
    userId: ctx.user?.id ?? null,
    organizationId: ctx.user?.organizationId ?? null,
    filter: { ...(filter ?? {}) },
    at: new Date().toISOString(),
  }, 'unsuppressed statistics read');
  // And in the tamper-evident audit log, committed before the figures are returned.
  await transactional(ctx, async (tx) => {
    audit(tx, { operation: 'READ_UNSUPPRESSED', entityType: 'Statistics', entityId: 'statistics', fields: Object.keys(filter ?? {}).sort(), values: { ...(filter ?? {}) } });
  });
}
