import { subject } from '@casl/ability';
import type { Context } from '../../context';
import type { ExternalRecord } from '../../entities';
import { canReadField } from '../fieldGuard';

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
