import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A timetable proposed by the scheduler, kept until applied. `fingerprint` digests the state of the world
 * it was computed from; applying refuses when the world has changed since.
 */
@Entity('schedule_proposal')
export class ScheduleProposal {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('schedule_proposal_centre_idx')
  @Column({ type: 'uuid', name: 'centre_id' })
  centreId: string;

  @Column({ type: 'timestamptz', name: 'from_at' })
  from: Date;

  @Column({ type: 'timestamptz', name: 'to_at' })
  to: Date;

  /** The solver's Solution (dates as ISO strings). */
  @Column({ type: 'jsonb' })
  payload: unknown;

  @Column({ type: 'text' })
  fingerprint: string;

  @Column({ type: 'uuid', name: 'created_by_id', nullable: true })
  createdById: string | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @Column({ type: 'timestamptz', name: 'applied_at', nullable: true })
  appliedAt: Date | null;
}
