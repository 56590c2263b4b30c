import { Entity, Index, PrimaryColumn } from 'typeorm';

/** Ties a user (a centre coordinator) to a centre they coordinate. */
@Entity('centre_staff')
export class CentreStaff {
  @PrimaryColumn({ type: 'uuid', name: 'centre_id' })
  centreId: string;

  @Index('centre_staff_user_idx')
  @PrimaryColumn({ type: 'uuid', name: 'user_id' })
  userId: string;
}
