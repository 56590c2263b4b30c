import { Entity, Index, PrimaryColumn } from 'typeorm';

/** A centre a specialist works at. */
@Entity('specialist_centre')
export class SpecialistCentre {
  @PrimaryColumn({ type: 'uuid', name: 'specialist_id' })
  specialistId: string;

  @Index('specialist_centre_centre_idx')
  @PrimaryColumn({ type: 'uuid', name: 'centre_id' })
  centreId: string;
}
