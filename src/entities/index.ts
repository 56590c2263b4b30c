import { Case } from './Case';
import { CaseEvent } from './CaseEvent';
import { CaseShare } from './CaseShare';
import { Child } from './Child';
import { Guardian } from './Guardian';
import { Organization } from './Organization';
import { User } from './User';

export { Case, CaseEvent, CaseShare, Child, Guardian, Organization, User };

/** All TypeORM entities of the hub. */
export const entities = [Organization, User, Child, Guardian, Case, CaseShare, CaseEvent];
