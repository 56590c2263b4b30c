import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { ExternalSourceKind, Sex } from '../schema/enums';

/**
 * A trace: a child as written in a source outside Ukraine's control (an adoption registry, a camp list, a
 * post…). Re-importing the same (source, externalId) updates it. `foundAt` is resolved (and guarded) by
 * the resolver like a child's current location.
 */
@ObjectType({ description: 'A trace of a child in an external source (a children\'s record: permission-filtered)' })
@Directive('@key(fields: "id")')
@Entity('external_record')
export class ExternalRecord {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field({ description: 'Name of the source, e.g. a registry or a list' })
  @Column({ type: 'text' })
  source: string;

  @Field(() => ExternalSourceKind)
  @Column({ type: 'enum', enum: ExternalSourceKind, enumName: 'external_source_kind', name: 'source_kind' })
  sourceKind: ExternalSourceKind;

  @Field({ description: "The source's own id of the record" })
  @Column({ type: 'text', name: 'external_id' })
  externalId: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'source_url', nullable: true })
  sourceUrl: string | null;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD: when the source saw the child' })
  @Column({ type: 'date', name: 'observed_at', nullable: true })
  observedAt: string | null;

  @Field(() => String, { nullable: true, description: 'As written in the source (any script)' })
  @Column({ type: 'text', name: 'given_name', nullable: true })
  givenName: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'family_name', nullable: true })
  familyName: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  patronymic: string | null;

  @Field(() => Sex, { nullable: true })
  @Column({ type: 'enum', enum: Sex, enumName: 'sex', nullable: true })
  sex: Sex | null;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD, YYYY-MM or YYYY, as far as the source knows it' })
  @Column({ type: 'text', name: 'birth_date', nullable: true })
  birthDate: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'place_of_birth', nullable: true })
  placeOfBirth: string | null;

  /** Sensitive: where the child was found (place, institution, region). Exposed through the resolver's guard. */
  @Column({ type: 'text', name: 'found_at', nullable: true })
  foundAt: string | null;

  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2 of the country where the child was found' })
  @Column({ type: 'text', name: 'found_country', nullable: true })
  foundCountry: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @Column({ type: 'text', name: 'given_skel', default: '' })
  givenSkel: string;

  @Column({ type: 'text', name: 'given_key', default: '' })
  givenKey: string;

  @Column({ type: 'text', name: 'family_skel', default: '' })
  familySkel: string;

  @Column({ type: 'text', name: 'patronymic_key', default: '' })
  patronymicKey: string;

  @Column({ type: 'int', name: 'birth_year', nullable: true })
  birthYear: number | null;

  @Column({ type: 'text', name: 'birth_mdkey', nullable: true })
  birthMdKey: string | null;

  @Column({ type: 'text', name: 'content_hash' })
  contentHash: string;

  /** The child this trace was confirmed to be (by a person), if any. */
  @Column({ type: 'uuid', name: 'linked_child_id', nullable: true })
  linkedChildId: string | null;

  @Field(() => Date, { nullable: true, description: 'When a person confirmed the trace as a reported child' })
  @Column({ type: 'timestamptz', name: 'linked_at', nullable: true })
  linkedAt: Date | null;

  @Column({ type: 'uuid', name: 'captured_by_id', nullable: true })
  capturedById: string | null;

  @Column({ type: 'uuid', name: 'captured_by_organization_id', nullable: true })
  capturedByOrganizationId: string | null;

  @Field(() => Int)
  @Column({ type: 'int', default: 1 })
  version: number;

  @Field({ name: 'capturedAt', description: 'When the trace was first imported' })
  @CreateDateColumn({ type: 'timestamptz', precision: 3, name: 'created_at' })
  createdAt: Date;

  @Field()
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}
