import { registerEnumType } from 'type-graphql';

export enum OrganizationKind {
  GOVERNMENT_AGENCY = 'GOVERNMENT_AGENCY',
  NGO = 'NGO',
  INTERNATIONAL_ORGANISATION = 'INTERNATIONAL_ORGANISATION',
  PROSECUTOR = 'PROSECUTOR',
  COORDINATION_COUNCIL = 'COORDINATION_COUNCIL',
  REHABILITATION_CENTRE_OPERATOR = 'REHABILITATION_CENTRE_OPERATOR',
}

export enum Role {
  COORDINATOR = 'COORDINATOR',
  CASE_WORKER = 'CASE_WORKER',
  INVESTIGATOR = 'INVESTIGATOR',
  CENTRE_COORDINATOR = 'CENTRE_COORDINATOR',
  SPECIALIST = 'SPECIALIST',
  ANALYST = 'ANALYST',
  ORG_ADMIN = 'ORG_ADMIN',
}

export enum Sex {
  FEMALE = 'FEMALE',
  MALE = 'MALE',
  UNKNOWN = 'UNKNOWN',
}

export enum BirthDatePrecision {
  EXACT = 'EXACT',
  MONTH = 'MONTH',
  YEAR = 'YEAR',
  ESTIMATED = 'ESTIMATED',
}

export enum CaseStatus {
  REPORTED = 'REPORTED',
  IDENTIFIED = 'IDENTIFIED',
  LOCATED = 'LOCATED',
  RETURN_IN_PROGRESS = 'RETURN_IN_PROGRESS',
  RETURNED = 'RETURNED',
  REINTEGRATION = 'REINTEGRATION',
  AFTERCARE = 'AFTERCARE',
  CLOSED = 'CLOSED',
}

export enum CloseReason {
  REUNITED = 'REUNITED',
  CAME_OF_AGE = 'CAME_OF_AGE',
  DUPLICATE = 'DUPLICATE',
  DECEASED = 'DECEASED',
  OTHER = 'OTHER',
}

export enum CasePriority {
  LOW = 'LOW',
  NORMAL = 'NORMAL',
  HIGH = 'HIGH',
  CRITICAL = 'CRITICAL',
}

export enum ShareAccess {
  SUMMARY = 'SUMMARY',
  FULL = 'FULL',
}

export enum CaseEventKind {
  CREATED = 'CREATED',
  STATUS_CHANGED = 'STATUS_CHANGED',
  UPDATED = 'UPDATED',
  SHARED = 'SHARED',
  UNSHARED = 'UNSHARED',
}

registerEnumType(OrganizationKind, { name: 'OrganizationKind' });
registerEnumType(Role, { name: 'Role' });
registerEnumType(Sex, { name: 'Sex' });
registerEnumType(BirthDatePrecision, { name: 'BirthDatePrecision', description: 'How well the birth date is known' });
registerEnumType(CaseStatus, { name: 'CaseStatus' });
registerEnumType(CloseReason, { name: 'CloseReason' });
registerEnumType(CasePriority, { name: 'CasePriority' });
registerEnumType(ShareAccess, { name: 'ShareAccess', description: 'SUMMARY: identity and status only; FULL: the whole case' });
registerEnumType(CaseEventKind, { name: 'CaseEventKind' });
