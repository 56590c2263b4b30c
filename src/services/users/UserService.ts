import { subject } from '@casl/ability';
import { announceAccessChange, notifyAccessChanged } from '../../auth/accessChanges';
import { ungrantableRoles } from '../../auth/rules/users';
import { audit } from '../../audit/audit';
import { transactional, type Context } from '../../context';
import { Organization, User } from '../../entities';
import { appError, forbidden, notFound } from '../../errors';
import type { Role } from '../../schema/enums';
import { assertId, requireUser } from '../CaseService';

/**
 * User management by an organization's administrators (ORG_ADMIN, their own organization's users only):
 * roles and deactivation. Each change is one transaction with its audit entry (values hashed: the roles or
 * the flag before and after, nothing personal), and takes effect on the user's next request.
 */
export class UserService {
  /** Replaces a user's roles; roles the user does not hold yet must be grantable in its organization (auth/rules/users.ts). */
  static async setRoles(ctx: Context, userId: string, roles: Role[]): Promise<User> {
    const wanted = [...new Set(roles)].sort();
    return UserService.change(ctx, userId, async (tx, user) => {
      if (user.id === tx.user!.id) throw forbidden('Your own roles are changed by another administrator of your organization');
      const org = await tx.em.findOneOrFail(Organization, { where: { id: user.organizationId } });
      const refused = ungrantableRoles(org.kind, user.roles, wanted);
      if (refused.length) {
        throw appError('FORBIDDEN', `${refused.join(', ')} cannot be granted in an organization of kind ${org.kind}`, { roles: refused });
      }
      const held = [...user.roles].sort();
      if (held.join() === wanted.join()) return false;
      await tx.em.update(User, { id: user.id }, { roles: wanted });
      audit(tx, { operation: 'SET_ROLES', entityType: 'User', entityId: user.id, fields: ['roles'], values: { from: held, to: wanted } });
      return true;
    });
  }

  /** Deactivates (or reactivates) a user: a deactivated user's token and password stop working at its next request. */
  static async setActive(ctx: Context, userId: string, active: boolean): Promise<User> {
    return UserService.change(ctx, userId, async (tx, user) => {
      if (user.id === tx.user!.id && !active) throw forbidden('You cannot deactivate yourself: ask another administrator of your organization');
      if (user.active === active) return false;
      await tx.em.update(User, { id: user.id }, { active });
      audit(tx, { operation: 'SET_ACTIVE', entityType: 'User', entityId: user.id, fields: ['active'], values: { from: user.active, to: active } });
      return true;
    });
  }

  /**
   * The frame of a change: only administrators (FORBIDDEN), only users of their organization (NOT_FOUND, as for an
   * id that does not exist, so other organizations' users are not revealed), the row locked against a concurrent
   * change, then `apply`; when it changed something, other instances are told on commit and this one after it.
   */
  private static async change(ctx: Context, userId: string, apply: (tx: Context, user: User) => Promise<boolean>): Promise<User> {
    requireUser(ctx);
    if (!ctx.ability.can('manage', 'User')) throw forbidden('Only an administrator of the user\'s organization manages users');
    assertId(userId, 'userId');
    return transactional(ctx, async (tx) => {
      const user = await tx.em.createQueryBuilder(User, 'u').setLock('pessimistic_write').where('u.id = :id', { id: userId }).getOne();
      if (!user || !tx.ability.can('manage', subject('User', { ...user }))) throw notFound('User', userId);
      if (await apply(tx, user)) {
        await announceAccessChange(tx.em, user.id);
        tx.afterCommit.push(() => notifyAccessChanged(user.id, (e) => ctx.deps.logger.error({ err: e, userId: user.id }, 'an access-change listener failed')));
      }
      return tx.em.findOneByOrFail(User, { id: user.id });
    });
  }
}
