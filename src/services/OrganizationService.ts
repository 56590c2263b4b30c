import type { Context } from '../context';
import { Organization } from '../entities';
import { requireUser } from './CaseService';

/** Organizations are visible to every signed-in user: sharing a case needs their ids. */
export class OrganizationService {
  static async list(ctx: Context): Promise<Organization[]> {
    requireUser(ctx);
    return ctx.em.find(Organization, { order: { name: 'ASC' } });
  }
}
