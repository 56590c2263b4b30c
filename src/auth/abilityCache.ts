import { defineAbilityFor, type AppAbility, type Principal } from './ability';

/*
 * One ability per principal, shared by that principal's requests (issue 11): building the CASL ability and
 * translating its rules to SQL (caslToSql.ts caches per ability) then happens once, not on every request.
 * The key is everything the ability is built from, so a principal whose roles, organization, centres or
 * specialist profile change gets a new ability on its next request; nothing needs invalidating. Abilities
 * are never updated after they are built (`defineAbilityFor` is the only place rules are given).
 */
const MAX = 2000;
const abilities = new Map<string, AppAbility>();

export function principalKey(p: Principal): string {
  return JSON.stringify([p.id, p.organizationId, p.roles, p.centreIds ?? [], p.centreOperators ?? {}, p.specialistId ?? null]);
}

export function abilityFor(principal: Principal | null): AppAbility {
  if (!principal) return defineAbilityFor(null);
  const key = principalKey(principal);
  let ability = abilities.get(key);
  if (ability) {
    // Most recently used last: the oldest entry is the first to go.
    abilities.delete(key);
  } else {
    ability = defineAbilityFor(principal);
    if (abilities.size >= MAX) abilities.delete(abilities.keys().next().value!);
  }
  abilities.set(key, ability);
  return ability;
}
