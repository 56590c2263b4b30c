/**
 * How many times each column of a row changed and when it last did, kept by a database trigger (migration
 * 1764900000801): what a reader who may read only some fields is shown as the version and update time.
 */
export type FieldChanges = Record<string, { n: number; at: string }>;
