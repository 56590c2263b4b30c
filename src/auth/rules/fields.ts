/**
 * Field lists the rules grant, as GraphQL field names. The default field guard (access/fieldGuard.ts) hides
 * every field of a record type that no rule of the reader grants, so a field added to an entity stays hidden
 * until it is named here or in a rule.
 */

/** Fields of a case visible to an organization it is shared with in SUMMARY. */
export const CASE_SUMMARY_FIELDS = ['id', 'status', 'closeReason', 'version', 'priority', 'child', 'leadOrganization', 'createdAt', 'updatedAt'];
/**
 * Relations that resolve through the CASL-filtered loaders (a reader gets only the related records it may
 * read, e.g. `child { case }` is null for those who may not read the case): granting them reveals nothing.
 */
const FILTERED_RELATIONS = { Child: ['case', 'carePlans'] };
/** Fields of a child visible through a SUMMARY share. */
export const CHILD_SUMMARY_FIELDS = [
  'id', 'givenName', 'familyName', 'patronymic', 'latinName', 'aliases', 'birthDate', 'birthDatePrecision', 'sex', 'homeOblast', 'version', 'createdAt', 'updatedAt',
  ...FILTERED_RELATIONS.Child,
];
/** Every readable field of a child (GraphQL field names), for roles that see all but a few. */
export const CHILD_FIELDS = [
  ...CHILD_SUMMARY_FIELDS, 'placeOfBirth', 'languages', 'currentLocation', 'healthNotes', 'guardians',
];
export const GUARDIAN_FIELDS = ['id', 'relation', 'name', 'contact', 'verified'];
/**
 * What a specialist reads about the children assigned to them: name, sex, age, languages (and, separately,
 * the care plan). Not the patronymic, aliases, origin or anything sensitive. `sex` stays because the
 * schema declares it non-null: a hidden non-null field would null the whole child (a test checks this).
 */
export const CHILD_SPECIALIST_FIELDS = ['id', 'givenName', 'familyName', 'latinName', 'sex', 'birthDate', 'birthDatePrecision', 'languages', 'version', ...FILTERED_RELATIONS.Child];
/** Every field of a session but the specialist's notes. */
export const SESSION_SCHEDULE_FIELDS = [
  'id', 'child', 'specialist', 'room', 'centre', 'discipline', 'startsAt', 'endsAt', 'status', 'series', 'createdAt', 'updatedAt',
];
/** What a SUMMARY reader may know of a case's history: that its status changed, not who, why, or what else changed. */
export const CASE_EVENT_SUMMARY_FIELDS = ['id', 'kind', 'from', 'to', 'at'];

/** Fields that are sensitive (documentation; every field is checked, these are the ones most roles lack). */
export const SENSITIVE_FIELDS = {
  Case: ['deportationCircumstances'],
  Child: ['currentLocation', 'healthNotes'],
  Guardian: ['contact'],
  Session: ['notes'],
  /**
   * An evidence item's details beyond what a list shows (kind, title, classification, file facts): what it
   * says, where it came from, who captured it with what, and its chain of custody. Reading any of them is an
   * ACCESSED custody event as well as a READ audit entry (src/services/evidence/evidenceAccess.ts).
   */
  EvidenceItem: ['description', 'source', 'capturedAt', 'capturedBy', 'capturedWith', 'custody'],
} as const;

export const without = (fields: string[], ...drop: string[]) => fields.filter((f) => !drop.includes(f));
