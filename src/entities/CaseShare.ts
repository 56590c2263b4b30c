import { Field, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ShareAccess } from '../schema/enums';
import { Case } from './Case';
import { Organization } from './Organization';

/** A case shared with a partner organization, in SUMMARY or FULL. */
@ObjectType()
@Entity('case_share')
@Index('case_share_org_access_case_idx', ['organizationId', 'access', 'caseId'])
export class CaseShare {
  @PrimaryColumn({ type: 'uuid', name: 'case_id' })
  caseId: string;

  @PrimaryColumn({ type: 'uuid', name: 'organization_id' })
  organizationId: string;

  @ManyToOne(() => Case, (c) => c.shares, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'case_id' })
  case?: Case;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Organization;

  @Field(() => ShareAccess)
  @Column({ type: 'enum', enum: ShareAccess, enumName: 'share_access' })
  access: ShareAccess;

  @Column({ type: 'uuid', name: 'shared_by_id', nullable: true })
  sharedById: string | null;

  @Field({ nullable: true, description: 'When the case was shared' })
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;
}
