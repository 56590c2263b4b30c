import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isNonNullType, isObjectType, type GraphQLSchema } from 'graphql';
import { defineAbilityFor, type Principal } from '../../../src/auth/ability';
import { readableFieldFilter, fieldVerdict } from '../../../src/auth/access/whereAccessible';
import { PER_READER_STAMPS } from '../../../src/auth/access/versions';
import { withAccessTable } from '../../../src/auth/accessTable';
import { buildSchema, recordTypeNames } from '../../../src/schema/buildSchema';
import { Role, ShareAccess } from '../../../src/schema/enums';

/** One principal per role, with a scope, so that every rule shows. */
const principals: Principal[] = Object.values(Role).map((role) => ({
  id: 'user', organizationId: 'org', roles: [role], centreIds: ['centre'], centreOperators: { centre: 'operator' }, specialistId: 'specialist',
}));
const abilities = principals.map((p) => defineAbilityFor(p));

let schema: GraphQLSchema;
beforeAll(async () => { schema = await buildSchema(); });

describe('guarded by default', () => {
  test('the record types are the entity-backed types of the schema, and each is guarded', () => {
    const records = [...recordTypeNames()].filter((n) => schema.getType(n));
    expect(records.sort()).toEqual(expect.arrayContaining(['Case', 'CaseEvent', 'CaseShare', 'Child', 'Guardian', 'Organization', 'Session', 'User']));
    // The view type that shares its name with an entity class (ScheduleProposal) is not mistaken for a record.
    expect(records).not.toContain('ScheduleProposal');
    for (const name of records) {
      const type = schema.getType(name);
      if (!isObjectType(type)) continue;
      // type-graphql wraps every field in the global middleware, so every field has a resolver.
      for (const field of Object.values(type.getFields())) expect([name, field.name, typeof field.resolve]).toEqual([name, field.name, 'function']);
    }
  });

  test('every field of every record type is granted by some rule (else no one could read it)', () => {
    const unmentioned: string[] = [];
    for (const name of recordTypeNames()) {
      const type = schema.getType(name);
      if (!isObjectType(type)) continue;
      for (const field of Object.keys(type.getFields())) {
        if (!abilities.some((a) => a.rulesFor('read', name as never, field).some((r) => !r.inverted))) unmentioned.push(`${name}.${field}`);
      }
    }
    expect(unmentioned).toEqual([]);
  });

  test('a non-null field of a record type is readable on every record a role may read (hiding it would null the record)', () => {
    const nulling: string[] = [];
    for (const name of recordTypeNames()) {
      const type = schema.getType(name);
      if (!isObjectType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        if (!isNonNullType(field.type)) continue;
        abilities.forEach((a, i) => {
          if (a.rulesFor('read', name as never).length > 0 && fieldVerdict(a, name, field.name) !== 'allow') nulling.push(`${principals[i].roles[0]}: ${name}.${field.name}`);
        });
      }
    }
    expect(nulling).toEqual([]);
  });

  test('a field no rule names is hidden from every role whose rules list their fields', () => {
    for (const a of abilities) {
      for (const subject of ['Child', 'Session']) {
        const rules = a.rulesFor('read', subject as never);
        if (rules.length > 0 && rules.every((r) => r.fields)) expect(fieldVerdict(a, subject, 'aFieldAddedTomorrow')).toBe('deny');
      }
    }
    const specialist = abilities[principals.findIndex((p) => p.roles[0] === Role.SPECIALIST)];
    expect(fieldVerdict(specialist, 'Child', 'patronymic')).toBe('deny');
    expect(fieldVerdict(specialist, 'Child', 'aliases')).toBe('deny');
    expect(fieldVerdict(specialist, 'Child', 'givenName')).toBe('allow');
  });
});

describe('change stamps tell a partial reader nothing hidden (issue 8, point 2)', () => {
  test('every type some role reads in part together with version or updatedAt shows them per reader', () => {
    const partial = new Set<string>();
    for (const name of recordTypeNames()) {
      const type = schema.getType(name);
      if (!isObjectType(type)) continue;
      const fields = Object.keys(type.getFields());
      const stamps = fields.filter((f) => f === 'version' || f === 'updatedAt');
      if (stamps.length === 0) continue;
      for (const a of abilities) {
        for (const r of a.rulesFor('read', name as never)) {
          if (r.inverted || !r.fields) continue;
          const granted = ([] as string[]).concat(r.fields);
          if (stamps.some((f) => granted.includes(f)) && fields.some((f) => !granted.includes(f))) partial.add(name);
        }
      }
    }
    // A new type read in part with a stamp fails here until it gets a field_changes column and per-reader stamps.
    expect([...partial].sort()).toEqual(Object.keys(PER_READER_STAMPS).sort());
  });
});

describe('filters test only readable fields', () => {
  const caseWorker = defineAbilityFor({ id: 'u', organizationId: 'org', roles: [Role.CASE_WORKER] });
  test('a field every case rule grants adds nothing; one only some rules grant is limited to their rows', () => {
    expect(readableFieldFilter(caseWorker, 'Case', 'status', 'c')).toBeNull();
    const shares = readableFieldFilter(caseWorker, 'Case', 'shares', 'c')!;
    expect(shares.sql).toContain('c.lead_organization_id');
    expect(Object.values(shares.params)).toContain(ShareAccess.FULL);
    expect(Object.values(shares.params)).not.toContain(ShareAccess.SUMMARY);
  });
  test('a field no rule grants matches nothing', () => {
    const analyst = defineAbilityFor({ id: 'u', organizationId: 'org', roles: [Role.ANALYST] });
    expect(readableFieldFilter(analyst, 'Child', 'homeOblast', 'ch')).toEqual({ sql: 'FALSE', params: {} });
  });
});

test('the README table of readable fields is the rules (npm run docs:access)', () => {
  const readme = readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  expect(readme).toBe(withAccessTable(readme));
});
