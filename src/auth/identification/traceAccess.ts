import { subject } from '@casl/ability';
import type { Context } from '../../context';
import type { ExternalRecord } from '../../entities';
import { identificationLoaders } from '../../services/identification/identificationLoaders';
import { canReadField } from '../fieldGuard';

/**
 * `foundAt` follows the rule of a child's current location: a reader who may see every child's current
 * location sees it, and otherwise only where it may see the current location of a child the trace is (or
 * was) a candidate for or is linked to. The trace itself has already passed the SQL row filter.
 */
export async function canReadFoundAt(ctx: Context, record: ExternalRecord): Promise<boolean> {
  if (!ctx.user || !ctx.ability.can('read', 'ExternalRecord', 'foundAt')) return false;
  // An unconditional grant: no case, placement or assignment facts are needed to allow it.
  if (ctx.ability.can('read', subject('Child', { id: '' }) as never, 'currentLocation')) return true;
  const childIds = await identificationLoaders(ctx).traceChildren.load(record.id);
  const allowed = await Promise.all(childIds.map((id) => canReadField(ctx, 'Child', { id }, 'currentLocation')));
  return allowed.some(Boolean);
}
