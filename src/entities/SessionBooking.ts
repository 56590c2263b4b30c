import { Check, Column, Entity, Exclusion, PrimaryColumn } from 'typeorm';

/**
 * The time a non-cancelled session holds for each participant (specialist, child, room), as a half-open
 * tstzrange; the specialist's range is extended by their minimum break. Rows are written by the
 * `session_booking_sync` trigger on `session`. The exclusion constraint is declared here too, so that a
 * generated migration keeps it: no participant can hold two overlapping ranges, whatever races.
 */
@Entity('session_booking')
@Check('session_booking_kind_chk', `"participant_kind" IN ('SPECIALIST','CHILD','ROOM')`)
@Exclusion('session_booking_no_overlap', 'USING gist ("participant_kind" WITH =, "participant_id" WITH =, "during" WITH &&)', { deferrable: 'INITIALLY IMMEDIATE' })
export class SessionBooking {
  @PrimaryColumn({ type: 'uuid', name: 'session_id' })
  sessionId: string;

  @PrimaryColumn({ type: 'text', name: 'participant_kind' })
  participantKind: 'SPECIALIST' | 'CHILD' | 'ROOM';

  @Column({ type: 'uuid', name: 'participant_id' })
  participantId: string;

  @Column({ type: 'tstzrange' })
  during: string;
}
