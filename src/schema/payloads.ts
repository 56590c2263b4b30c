import { Field, Int, ObjectType } from 'type-graphql';
import { Case, CaseEvent, User } from '../entities';

@ObjectType()
export class AuthPayload {
  @Field({ description: 'Send as Authorization: Bearer <token>' }) token: string;
  @Field() expiresAt: Date;
  @Field(() => User) user: User;
}

@ObjectType()
export class PageInfo {
  @Field() hasNextPage: boolean;
  @Field(() => String, { nullable: true }) endCursor: string | null;
}

@ObjectType()
export class CaseEdge {
  @Field() cursor: string;
  @Field(() => Case) node: Case;
}

@ObjectType()
export class CaseConnection {
  @Field(() => [CaseEdge]) edges: CaseEdge[];
  @Field(() => PageInfo) pageInfo: PageInfo;
  @Field(() => Int, { description: 'All cases matching the filter that the reader may see' }) totalCount: number;
}

@ObjectType()
export class CaseEventEdge {
  @Field() cursor: string;
  @Field(() => CaseEvent) node: CaseEvent;
}

@ObjectType()
export class CaseEventConnection {
  @Field(() => [CaseEventEdge]) edges: CaseEventEdge[];
  @Field(() => PageInfo) pageInfo: PageInfo;
}
