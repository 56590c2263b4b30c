import { subject } from '@casl/ability';
import type { Context } from '../../context';
import type { ExternalRecord } from '../../entities';
import { canReadField } from '../fieldGuard';

/**
 * `foundAt` follows the rule of a child's current location: a reader who may see every child's current
 * location sees it, and otherwise only where it may see the current location of a child the trace is (or
 * was) a candidate for or is linked to (`traceChildren`, a batched loader the caller passes). The trace itself
 * has already passed the SQL row filter.
 */
export async function canReadFoundAt(ctx: Context, record: ExternalRecord, traceChildren: (recordId: string) => Promise<string[]>): Promise<boolean> {
  if (!ctx.user || !ctx.ability.can('read', 'ExternalRecord', 'foundAt')) return false;
  // An unconditional grant: no case, placement or assignment facts are needed to allow it.
  if (ctx.ability.can('read', subject('Child', { id: '' }) as never, 'currentLocation')) return true;
  const childIds = await traceChildren(record.id);
  const allowed = await Promise.all(childIds.map((id) => canReadField(ctx, 'Child', { id }, 'currentLocation')));
  return allowed.some(Boolean);
}
