import { Case } from './Case';
import { CaseEvent } from './CaseEvent';
import { CaseShare } from './CaseShare';
import { Child } from './Child';
import { Guardian } from './Guardian';
import { Organization } from './Organization';
import { User } from './User';
import { Assignment } from './Assignment';
import { AvailabilityRule } from './AvailabilityRule';
import { CarePlan } from './CarePlan';
import { Centre } from './Centre';
import { CentreStaff } from './CentreStaff';
import { Placement } from './Placement';
import { Room } from './Room';
import { ScheduleProposal } from './ScheduleProposal';
import { Session } from './Session';
import { SessionBooking } from './SessionBooking';
import { SessionSeries } from './SessionSeries';
import { Specialist } from './Specialist';
import { SpecialistCentre } from './SpecialistCentre';
import { FollowUp } from './FollowUp';
import { GuardianVerification } from './GuardianVerification';
import { ReintegrationPlan } from './ReintegrationPlan';
import { ReintegrationPlanItem } from './ReintegrationPlanItem';
import { ReturnOperation } from './ReturnOperation';
import { ReturnOperationChild } from './ReturnOperationChild';
import { ReturnOperationOrg } from './ReturnOperationOrg';
import { CustodyEvent } from './CustodyEvent';
import { EvidenceItem } from './EvidenceItem';
import { Incident } from './Incident';
import { ExternalRecord } from './ExternalRecord';
import { MatchCandidate } from './MatchCandidate';

export { Case, CaseEvent, CaseShare, Child, Guardian, Organization, User };
export {
  Assignment, AvailabilityRule, CarePlan, Centre, CentreStaff, Placement, Room, ScheduleProposal, Session, SessionBooking, SessionSeries, Specialist, SpecialistCentre,
};
export { FollowUp, GuardianVerification, ReintegrationPlan, ReintegrationPlanItem, ReturnOperation, ReturnOperationChild, ReturnOperationOrg };

export { CustodyEvent, EvidenceItem, Incident };
export { ExternalRecord, MatchCandidate };

/** All TypeORM entities of the hub. */
export const entities = [
  Organization, User, Child, Guardian, Case, CaseShare, CaseEvent,
  Centre, CentreStaff, Room, Specialist, SpecialistCentre, AvailabilityRule, Placement, CarePlan, Assignment, SessionSeries, Session, SessionBooking, ScheduleProposal,
  ReturnOperation, ReturnOperationOrg, ReturnOperationChild, GuardianVerification, ReintegrationPlan, ReintegrationPlanItem, FollowUp,
  Incident, EvidenceItem, CustodyEvent,
  ExternalRecord, MatchCandidate,
];
