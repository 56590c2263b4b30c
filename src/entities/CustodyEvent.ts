import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { CustodyEventKind } from '../schema/enums';

/** One link of an evidence item's chain of custody (append-only). */
@ObjectType()
@Entity('custody_event')
export class CustodyEvent {
  @Field(() => ID)
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ type: 'uuid', name: 'evidence_id' })
  evidenceId: string;

  @Field(() => CustodyEventKind)
  @Column({ type: 'enum', enum: CustodyEventKind, enumName: 'custody_event_kind' })
  kind: CustodyEventKind;

  @Field()
  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  at: Date;

  @Column({ type: 'uuid', name: 'actor_id', nullable: true })
  actorId: string | null;

  @Column({ type: 'uuid', name: 'organization_id', nullable: true })
  organizationId: string | null;

  @Column({ type: 'uuid', name: 'to_organization_id', nullable: true })
  toOrganizationId: string | null;

  @Field(() => Boolean, { nullable: true, description: 'FIXITY_CHECKED: whether the stored file still has its hash' })
  @Column({ type: 'boolean', nullable: true })
  ok: boolean | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'char', length: 64, nullable: true })
  sha256: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  note: string | null;
}
