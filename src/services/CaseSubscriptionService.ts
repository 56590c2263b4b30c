import type { Context } from '../context';
import { Organization } from '../entities';
import { badInput, forbidden } from '../errors';
import { canReadHistory } from '../pubsub/CaseEventFeed';
import type { CaseEventActor, CaseStatusChange } from '../schema/CaseStatusChange';
import { CaseEventKind } from '../schema/enums';
import { assertId, requireUser } from './CaseService';

/** By default the subscription carries the events that set a status; `kinds` asks for others too. */
export const STATUS_EVENT_KINDS = [CaseEventKind.CREATED, CaseEventKind.STATUS_CHANGED];

export interface CaseStatusChangedArgs {
  caseId?: string | null;
  organizationId?: string | null;
  afterEventId?: string | null;
  kinds?: CaseEventKind[] | null;
}

/** Live case events for a subscriber: permission-filtered per event, resumable from an event id. */
export class CaseSubscriptionService {
  static subscribe(ctx: Context, args: CaseStatusChangedArgs): AsyncIterableIterator<CaseStatusChange> {
    requireUser(ctx);
    if (!ctx.ability.can('subscribe', 'Case')) throw forbidden('Your roles may not subscribe to case events');
    if (args.caseId) assertId(args.caseId, 'caseId');
    if (args.organizationId) assertId(args.organizationId, 'organizationId');
    let after: bigint | null = null;
    if (args.afterEventId !== undefined && args.afterEventId !== null) {
      // "0" replays everything the subscriber may read; any other value is an opaque id this hub gave out.
      after = args.afterEventId === '0' ? 0n : ctx.deps.tokens.eventIds.decode(args.afterEventId);
      if (after === null) throw badInput('afterEventId', 'must be an event id received earlier (or "0" for the whole history)');
    }
    const kinds = args.kinds?.length ? [...new Set(args.kinds)] : STATUS_EVENT_KINDS;
    return ctx.deps.feed.subscribe(ctx, { caseId: args.caseId ?? undefined, organizationId: args.organizationId ?? undefined, kinds }, after);
  }

  /** The event's note, for readers of the case's history (not through a SUMMARY share). */
  static note(ctx: Context, change: CaseStatusChange): string | null {
    if (!canReadHistory(ctx.ability, change.source)) throw forbidden('Not allowed to read CaseStatusChange.note');
    return change.source.event.note;
  }

  /** Who made the change, for readers of the case's history; null for changes made by the system. */
  static actor(ctx: Context, change: CaseStatusChange): CaseEventActor | null {
    if (!canReadHistory(ctx.ability, change.source)) throw forbidden('Not allowed to read CaseStatusChange.actor');
    const e = change.source.event;
    if (!e.actorId && !e.organizationId) return null;
    return { organizationId: e.organizationId, displayName: change.source.actorName };
  }

  static actorOrganization(ctx: Context, actor: CaseEventActor): Promise<Organization | null> | null {
    return actor.organizationId ? ctx.loaders.organization.load(actor.organizationId) : null;
  }

  /** A person's name crosses no organization boundary. */
  static actorName(ctx: Context, actor: CaseEventActor): string | null {
    if (!ctx.user || !actor.organizationId || ctx.user.organizationId !== actor.organizationId) {
      throw forbidden('Not allowed to read CaseEventActor.displayName: only members of the same organization see who acted');
    }
    return actor.displayName;
  }
}
