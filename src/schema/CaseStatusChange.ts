import { Field, ID, ObjectType } from 'type-graphql';
import type { EventSnapshot } from '../pubsub/CaseEventFeed';
import { CaseEventKind, CaseStatus } from './enums';

/**
 * Who made a change, as a subscriber may see it: the organization always (to readers of the case's
 * history), the person's name only to members of that same organization, so that staff identities do
 * not travel across organizations.
 */
@ObjectType({ description: 'Who made a case change: the organization; the person only for readers of the same organization' })
export class CaseEventActor {
  organizationId: string | null;
  displayName: string | null;
}

/** One case event delivered to a subscriber. `case` resolves with the subscriber's own permissions. */
@ObjectType({ description: 'A committed case event: resume from `eventId` with caseStatusChanged(afterEventId:)' })
export class CaseStatusChange {
  @Field(() => ID, { description: 'Opaque: pass it as afterEventId to resume after a disconnect (it reveals nothing of other cases)' })
  eventId: string;

  @Field(() => CaseEventKind)
  kind: CaseEventKind;

  @Field(() => CaseStatus, { nullable: true, description: 'Status before the change (null for CREATED)' })
  from: CaseStatus | null;

  @Field(() => CaseStatus)
  to: CaseStatus;

  @Field({ description: 'When the change was written' })
  at: Date;

  /** The shared, per-instance record of the event (not part of the schema). */
  source: EventSnapshot;
}
