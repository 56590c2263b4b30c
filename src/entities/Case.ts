import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import {
  Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryGeneratedColumn, UpdateDateColumn,
} from 'typeorm';
import { CasePriority, CaseStatus, CloseReason } from '../schema/enums';
import { Child } from './Child';
import { Organization } from './Organization';
import type { CaseShare } from './CaseShare';
import type { FieldChanges } from './FieldChanges';

/** The case of one child: its lifecycle status, the deportation record, who leads it and who it is shared with. */
@ObjectType('Case')
@Directive('@key(fields: "id")')
@Entity('case_file')
@Index('case_file_created_idx', ['createdAt', 'id'])
@Index('case_file_status_idx', ['status', 'createdAt'])
export class Case {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('case_file_child_key', { unique: true })
  @Column({ type: 'uuid', name: 'child_id' })
  childId: string;

  @ManyToOne(() => Child, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'child_id' })
  child?: Child;

  @Field(() => CaseStatus)
  @Column({ type: 'enum', enum: CaseStatus, enumName: 'case_status', default: CaseStatus.REPORTED })
  status: CaseStatus;

  @Field(() => CloseReason, { nullable: true })
  @Column({ type: 'enum', enum: CloseReason, enumName: 'close_reason', name: 'close_reason', nullable: true })
  closeReason: CloseReason | null;

  @Field(() => Int, { description: 'Increments on every change; send it back as expectedVersion. A reader of only some fields (a SUMMARY partner) gets the count of changes to those fields' })
  @Column({ type: 'int', default: 1 })
  version: number;

  @Field(() => CasePriority)
  @Column({ type: 'enum', enum: CasePriority, enumName: 'case_priority', default: CasePriority.NORMAL })
  priority: CasePriority;

  @Index('case_file_lead_org_idx')
  @Column({ type: 'uuid', name: 'lead_organization_id' })
  leadOrganizationId: string;

  @ManyToOne(() => Organization, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'lead_organization_id' })
  leadOrganization?: Organization;

  @OneToMany('CaseShare', 'case')
  shares?: CaseShare[];

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' })
  @Column({ type: 'date', name: 'deportation_date', nullable: true })
  deportationDate: string | null;

  @Field(() => String, { nullable: true, description: 'Place the child was taken from' })
  @Column({ type: 'text', name: 'deported_from', nullable: true })
  deportedFrom: string | null;

  /** Sensitive. */
  @Field(() => String, { nullable: true, description: 'Sensitive: FORBIDDEN unless the reader may see it' })
  @Column({ type: 'text', name: 'deportation_circumstances', nullable: true })
  deportationCircumstances: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'last_known_country', nullable: true })
  lastKnownCountry: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'last_known_region', nullable: true })
  lastKnownRegion: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'last_known_facility', nullable: true })
  lastKnownFacility: string | null;

  @Column({ type: 'uuid', name: 'created_by_id', nullable: true })
  createdById: string | null;

  @Field()
  // Millisecond precision so that a JavaScript Date in a cursor round-trips exactly.
  @CreateDateColumn({ type: 'timestamptz', precision: 3, name: 'created_at' })
  createdAt: Date;

  @Field({ description: 'Last change; for a reader of only some fields, the last change to one of those' })
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;

  /** Changes per column, for readers of only some fields (kept by the database; never written by the app). */
  @Column({ type: 'jsonb', name: 'field_changes', default: () => "'{}'" })
  fieldChanges: FieldChanges;
}
