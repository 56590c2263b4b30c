import { Role } from '../schema/enums';
import { defineAbilityFor, type Principal } from './ability';

/** A principal of one role with a scope, so that every rule of the role shows (ids are placeholders). */
function sample(role: Role): Principal {
  return {
    id: 'user', organizationId: 'org', roles: [role],
    centreIds: ['centre'], centreOperators: { centre: 'operator' }, specialistId: 'specialist',
  };
}

/** One grant of a role: which fields of a record type, on which records (the rule's conditions, compacted). */
export interface Grant {
  role: Role;
  subject: string;
  fields: string[] | 'all';
  where: string;
}

/** A rule's conditions, compacted for reading: placeholders are the user's own ids (org, user, centre, specialist). */
function describe(conditions: unknown): string {
  if (!conditions) return 'all';
  return JSON.stringify(conditions)
    .replace(/"\$elemMatch":/g, 'some ')
    .replace(/"\$(in|gte|exists)":/g, (_m, op: string) => ({ in: 'in ', gte: '>= ', exists: 'exists ' })[op] ?? op)
    .replace(/\d{4}-\d\d-\d\d/g, 'today')
    .replace(/"/g, '')
    .replace(/:/g, ': ')
    .replace(/,/g, ', ');
}

/**
 * Every read grant of each role, taken from the rules themselves (a rule without a field list grants
 * every field). The README's table is made from this, and a test fails when they differ.
 */
export function readGrants(): Grant[] {
  const out: Grant[] = [];
  for (const role of Object.values(Role)) {
    const ability = defineAbilityFor(sample(role));
    for (const rule of ability.rules) {
      const actions = ([] as string[]).concat(rule.action as string | string[]);
      if (rule.inverted || !actions.some((a) => a === 'read' || a === 'manage')) continue;
      for (const subject of ([] as string[]).concat(rule.subject as string | string[])) {
        const fields = rule.fields ? ([] as string[]).concat(rule.fields) : 'all';
        const where = describe(rule.conditions);
        const known = out.find((g) => g.role === role && g.subject === subject && JSON.stringify(g.fields) === JSON.stringify(fields));
        if (known) known.where = known.where === 'all' || where === 'all' ? 'all' : `${known.where}; or ${where}`;
        else out.push({ role, subject, fields, where });
      }
    }
  }
  return out;
}

/** The README table: per role and record type, which fields on which records. */
export function accessTableMarkdown(): string {
  const lines = ['| role | record | fields | on which records (`org`, `user`, `centre`, `specialist`: the reader\'s own) |', '|---|---|---|---|'];
  for (const g of readGrants()) {
    const fields = g.fields === 'all' ? 'every field' : g.fields.map((f) => `\`${f}\``).join(' ');
    lines.push(`| \`${g.role}\` | ${g.subject} | ${fields} | ${g.where === 'all' ? 'every one' : `\`${g.where}\``} |`);
  }
  return lines.join('\n');
}

export const ACCESS_TABLE_START = '<!-- access-table:start (generated from src/auth/rules by `npm run docs:access`; do not edit) -->';
export const ACCESS_TABLE_END = '<!-- access-table:end -->';

/** Replaces the generated section of a README text (or appends nothing when the markers are absent). */
export function withAccessTable(readme: string): string {
  const start = readme.indexOf(ACCESS_TABLE_START);
  const end = readme.indexOf(ACCESS_TABLE_END);
  if (start < 0 || end < start) throw new Error('README has no access-table markers');
  return `${readme.slice(0, start + ACCESS_TABLE_START.length)}\n${accessTableMarkdown()}\n${readme.slice(end)}`;
}
