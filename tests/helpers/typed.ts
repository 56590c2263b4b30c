import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import type { GqlResult, TestApp } from './testApp';

const printed = new WeakMap<object, string>();

/**
 * Sends a typed document from tests/generated/graphql.ts to the test hub: the result and the variables are
 * typed by the operation (e.g. `gqlTyped(t, CaseDocument, { id }, token)` → `GqlResult<CaseQuery>`).
 */
export async function gqlTyped<TResult, TVars>(
  t: TestApp,
  doc: TypedDocumentNode<TResult, TVars>,
  vars: TVars,
  token?: string,
): Promise<GqlResult<TResult>> {
  let query = printed.get(doc);
  if (query === undefined) {
    query = print(doc);
    printed.set(doc, query);
  }
  return t.gql<TResult>(query, vars as Record<string, unknown>, token);
}
