import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { IncidentDatePrecision, LegalQualification } from '../schema/enums';

/** A documented deportation or transfer of children: when, from where, to where, by whom, and how the sources qualify it. */
@ObjectType()
@Directive('@key(fields: "id")')
@Entity('incident')
export class Incident {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD; see occurredPrecision' })
  @Column({ type: 'date', name: 'occurred_on', nullable: true })
  occurredOn: string | null;

  @Field(() => IncidentDatePrecision)
  @Column({ type: 'enum', enum: IncidentDatePrecision, enumName: 'incident_date_precision', name: 'occurred_precision', default: IncidentDatePrecision.EXACT })
  occurredPrecision: IncidentDatePrecision;

  @Field(() => String, { nullable: true, description: 'Place the children were taken from' })
  @Column({ type: 'text', name: 'taken_from', nullable: true })
  takenFrom: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'destination_country', nullable: true })
  destinationCountry: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'destination_region', nullable: true })
  destinationRegion: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'destination_facility', nullable: true })
  destinationFacility: string | null;

  @Field(() => [String], { description: 'Responsible persons or units, as named in the sources' })
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  responsible: string[];

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  narrative: string | null;

  @Field(() => [LegalQualification])
  @Column({ type: 'enum', enum: LegalQualification, enumName: 'legal_qualification', array: true, default: () => "'{}'" })
  qualifications: LegalQualification[];

  @Column({ type: 'uuid', name: 'organization_id' })
  organizationId: string;

  @Column({ type: 'uuid', name: 'created_by_id', nullable: true })
  createdById: string | null;

  @Field(() => Int)
  @Column({ type: 'int', default: 1 })
  version: number;

  @Field()
  @CreateDateColumn({ type: 'timestamptz', precision: 3, name: 'created_at' })
  createdAt: Date;

  @Field()
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}
