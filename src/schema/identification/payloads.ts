import { Field, Int, ObjectType } from 'type-graphql';
import { ExternalRecord, MatchCandidate } from '../../entities';
import { PageInfo } from '../payloads';

@ObjectType({ description: 'A record the import refused: its index in `records`, the field and why' })
export class ImportRejection {
  @Field(() => Int) index: number;
  @Field() field: string;
  @Field() message: string;
}

@ObjectType()
export class ImportExternalRecordsPayload {
  @Field(() => Int, { description: 'New records' }) imported: number;
  @Field(() => Int, { description: 'Records of this source and externalId that changed' }) updated: number;
  @Field(() => Int, { description: 'Records sent again without a change' }) unchanged: number;
  @Field(() => [ImportRejection]) rejected: ImportRejection[];
  @Field(() => Int, { description: 'OPEN match candidates of the new and changed records that you may read (those of children you may not read are not counted)' }) candidates: number;
}

@ObjectType()
export class ExternalRecordEdge {
  @Field() cursor: string;
  @Field(() => ExternalRecord) node: ExternalRecord;
}

@ObjectType()
export class ExternalRecordConnection {
  @Field(() => [ExternalRecordEdge]) edges: ExternalRecordEdge[];
  @Field(() => PageInfo) pageInfo: PageInfo;
  @Field(() => Int) totalCount: number;
}

@ObjectType()
export class MatchCandidateEdge {
  @Field() cursor: string;
  @Field(() => MatchCandidate) node: MatchCandidate;
}

@ObjectType()
export class MatchCandidateConnection {
  @Field(() => [MatchCandidateEdge]) edges: MatchCandidateEdge[];
  @Field(() => PageInfo) pageInfo: PageInfo;
  @Field(() => Int, { description: 'All candidates matching the filter that you may read' }) totalCount: number;
}
