import { getArgumentValues, isObjectType, Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Whether the field being resolved selects `name` directly on its result (through aliases, inline fragments
 * and named fragment spreads). Conservative: a selection under @skip/@include counts as selected, so the
 * answer can only cost work, never drop a field the client asked for.
 */
export function selectsField(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, name: string): boolean {
  return selectsPath(info, [name]);
}

/**
 * Whether the field being resolved selects the field path `path` below it (e.g. ['edges', 'node',
 * 'leadOrganization']), with the same rules as selectsField.
 */
export function selectsPath(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, path: readonly string[]): boolean {
  return fieldNodesAt(info, path).length > 0;
}

/** Every field node the field being resolved selects at `path` below it (through aliases and fragments). */
export function fieldNodesAt(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, path: readonly string[]): FieldNode[] {
  const out: FieldNode[] = [];
  const walk = (set: SelectionSetNode | undefined, depth: number, seen: Set<string>): void => {
    if (!set) return;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value !== path[depth]) continue;
        if (depth === path.length - 1) out.push(sel);
        else walk(sel.selectionSet, depth + 1, new Set());
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        walk(sel.selectionSet, depth, seen);
      } else if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const fragName = sel.name.value;
        if (seen.has(fragName)) continue;
        seen.add(fragName);
        walk(info.fragments[fragName]?.selectionSet, depth, seen);
      }
    }
  };
  if (path.length > 0) for (const node of info.fieldNodes) walk(node.selectionSet, 0, new Set());
  return out;
}

/**
 * The arguments of each selection of `typeName.fieldName` at `path` below the field being resolved, with the
 * request's variables applied; null when one cannot be read (graphql-js will report it when it gets there).
 */
export function argumentsAt(info: GraphQLResolveInfo, path: readonly string[], typeName: string, fieldName: string): Record<string, unknown>[] | null {
  const type = info.schema.getType(typeName);
  const def = isObjectType(type) ? type.getFields()[fieldName] : undefined;
  if (!def) return null;
  try {
    return fieldNodesAt(info, path).map((node) => getArgumentValues(def, node, info.variableValues));
  } catch {
    return null;
  }
}
