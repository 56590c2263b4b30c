import type { Context } from '../../context';
import type { StatisticsFilter } from '../../schema/statistics/types';

/**
 * Hook for the audit log: a coordinator read statistics without suppression. Until the audit log is
 * wired here it writes one structured log line (`audit: "statistics.unsuppressed"`).
 */
export async function auditUnsuppressedStatistics(ctx: Context, filter: StatisticsFilter | undefined): Promise<void> {
  ctx.deps.logger.warn({
    audit: 'statistics.unsuppressed',
    userId: ctx.user?.id ?? null,
    organizationId: ctx.user?.organizationId ?? null,
    filter: { ...(filter ?? {}) },
    at: new Date().toISOString(),
  }, 'unsuppressed statistics read');
}
