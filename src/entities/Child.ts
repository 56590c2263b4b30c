import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { BirthDatePrecision, Sex } from '../schema/enums';
import type { FieldChanges } from './FieldChanges';

/**
 * A deported child. Names are kept in Cyrillic as given, with a Latin form and known aliases;
 * `searchText` folds all spellings (and their transliterations) for name search.
 */
@ObjectType()
@Directive('@key(fields: "id")')
@Entity('child')
@Index('child_search_trgm_idx', { synchronize: false })
export class Child {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field()
  @Column({ type: 'text', name: 'given_name' })
  givenName: string;

  @Field()
  @Column({ type: 'text', name: 'family_name' })
  familyName: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  patronymic: string | null;

  @Field(() => String, { nullable: true, description: 'Latin spelling (Ukrainian national transliteration unless given)' })
  @Column({ type: 'text', name: 'latin_name', nullable: true })
  latinName: string | null;

  @Field(() => [String], { nullable: true, description: 'Other known spellings, e.g. russified names' })
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  aliases: string[];

  /** The aliases that came from confirmed traces: Child.aliases shows them only to readers of the child's match candidates. */
  @Column({ type: 'text', array: true, name: 'trace_aliases', default: () => "'{}'" })
  traceAliases: string[];

  @Field({ description: 'YYYY-MM-DD; see birthDatePrecision' })
  @Column({ type: 'date', name: 'birth_date' })
  birthDate: string;

  @Field(() => BirthDatePrecision)
  @Column({ type: 'enum', enum: BirthDatePrecision, enumName: 'birth_date_precision', name: 'birth_date_precision', default: BirthDatePrecision.EXACT })
  birthDatePrecision: BirthDatePrecision;

  @Field(() => Sex)
  @Column({ type: 'enum', enum: Sex, enumName: 'sex' })
  sex: Sex;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'place_of_birth', nullable: true })
  placeOfBirth: string | null;

  @Field(() => String, { nullable: true })
  @Index('child_home_oblast_idx')
  @Column({ type: 'text', name: 'home_oblast', nullable: true })
  homeOblast: string | null;

  @Field(() => [String], { nullable: true, description: 'ISO 639-1 codes' })
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  languages: string[];

  /** Sensitive. */
  @Field(() => String, { nullable: true, description: 'Sensitive: FORBIDDEN unless the reader may see it' })
  @Column({ type: 'text', name: 'current_location', nullable: true })
  currentLocation: string | null;

  /** Sensitive (health and special needs). */
  @Field(() => String, { nullable: true, description: 'Sensitive: FORBIDDEN unless the reader may see it' })
  @Column({ type: 'text', name: 'health_notes', nullable: true })
  healthNotes: string | null;

  @Column({ type: 'text', name: 'search_text', default: '' })
  searchText: string;

  /** The search text without the aliases from traces (null: the same as searchText), matched for the other readers. */
  @Column({ type: 'text', name: 'search_text_own', nullable: true })
  searchTextOwn: string | null;

  @Field(() => Int, { description: 'Increments on every change; send it back as expectedVersion. A reader of only some fields gets the count of changes to those fields' })
  @Column({ type: 'int', default: 1 })
  version: number;

  @Field({ nullable: true })
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @Field({ nullable: true, description: 'Last change; for a reader of only some fields, the last change to one of those' })
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;

  /** Changes per column, for readers of only some fields (kept by the database; never written by the app). */
  @Column({ type: 'jsonb', name: 'field_changes', default: () => "'{}'" })
  fieldChanges: FieldChanges;
}
