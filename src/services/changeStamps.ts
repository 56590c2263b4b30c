import { versionFor, type VersionedType } from '../auth/access/versions';
import type { Context } from '../context';
import type { Case, Child, Session } from '../entities';

/** The version and update time of a case, child or session as this reader may know them (see auth/access/versions.ts). */
export function readerStamps(ctx: Context, type: VersionedType, row: Case | Child | Session): Promise<{ version: number; updatedAt: Date }> {
  return versionFor(ctx, type, row as unknown as Parameters<typeof versionFor>[2]);
}
