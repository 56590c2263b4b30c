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

/**
 * An edge whose cursor is computed only when the query selects it (an event cursor costs an AES block and an
 * HMAC; a page of nested events would pay for dozens no one asked for: issue 11).
 */
export function lazyEdge<T>(node: T, cursorOf: (node: T) => string): { node: T; cursor: string } {
  return new LazyEdge(node, cursorOf);
}

/**
 * The getter on a prototype: an object literal with its own getter gets a fresh accessor (and a map of its
 * own) per edge, which V8 keeps as a slow object; a class's instances share one shape.
 */
class LazyEdge<T> {
  constructor(readonly node: T, private readonly cursorOf: (node: T) => string) {}
  get cursor(): string { return this.cursorOf(this.node); }
}

/** Page info whose end cursor is computed only when selected (see lazyEdge). */
export function lazyPageInfo<T>(hasNextPage: boolean, last: T | undefined, cursorOf: (node: T) => string): PageInfo {
  return { hasNextPage, get endCursor() { return last === undefined ? null : cursorOf(last); } };
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
