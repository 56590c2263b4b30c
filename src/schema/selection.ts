import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

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
  const walk = (set: SelectionSetNode | undefined, depth: number, seen: Set<string>): boolean => {
    if (!set) return false;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value !== path[depth]) continue;
        if (depth === path.length - 1) return true;
        if (walk(sel.selectionSet, depth + 1, new Set())) return true;
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        if (walk(sel.selectionSet, depth, seen)) return true;
      } else if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const fragName = sel.name.value;
        if (seen.has(fragName)) continue;
        seen.add(fragName);
        if (walk(info.fragments[fragName]?.selectionSet, depth, seen)) return true;
      }
    }
    return false;
  };
  return path.length > 0 && info.fieldNodes.some((node) => walk(node.selectionSet, 0, new Set()));
}
