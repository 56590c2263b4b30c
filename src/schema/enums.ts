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
  MATCH_CONFIRMED = 'MATCH_CONFIRMED',
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

// Rehabilitation centres and scheduling.

/** What a specialist does; a care plan's needs and an assignment name one. */
export enum Discipline {
  PSYCHOLOGIST = 'PSYCHOLOGIST',
  THERAPIST = 'THERAPIST',
  ART_THERAPIST = 'ART_THERAPIST',
  TEACHER = 'TEACHER',
  SOCIAL_WORKER = 'SOCIAL_WORKER',
  SPEECH_THERAPIST = 'SPEECH_THERAPIST',
  PHYSIOTHERAPIST = 'PHYSIOTHERAPIST',
}

export enum AvailabilityKind {
  AVAILABLE = 'AVAILABLE',
  UNAVAILABLE = 'UNAVAILABLE',
}

export enum SessionStatus {
  SCHEDULED = 'SCHEDULED',
  COMPLETED = 'COMPLETED',
  CANCELLED = 'CANCELLED',
  NO_SHOW = 'NO_SHOW',
}

/** Who a booking collides with. */
export enum ConflictWith {
  SPECIALIST = 'SPECIALIST',
  CHILD = 'CHILD',
  ROOM = 'ROOM',
}

/** Which occurrences of a series a change applies to. */
export enum SeriesScope {
  THIS = 'THIS',
  FOLLOWING = 'FOLLOWING',
  SERIES = 'SERIES',
}

/** Why an occurrence cannot be booked. */
export enum BookingConflictReason {
  SPECIALIST_BUSY = 'SPECIALIST_BUSY',
  CHILD_BUSY = 'CHILD_BUSY',
  ROOM_BUSY = 'ROOM_BUSY',
  OUTSIDE_AVAILABILITY = 'OUTSIDE_AVAILABILITY',
  OUTSIDE_OPENING_HOURS = 'OUTSIDE_OPENING_HOURS',
  OUTSIDE_PLACEMENT = 'OUTSIDE_PLACEMENT',
  NOT_IN_CARE_PLAN = 'NOT_IN_CARE_PLAN',
  SPECIALIST_NOT_AT_CENTRE = 'SPECIALIST_NOT_AT_CENTRE',
  NO_SHARED_LANGUAGE = 'NO_SHARED_LANGUAGE',
  AGE_OUT_OF_RANGE = 'AGE_OUT_OF_RANGE',
  CASELOAD_FULL = 'CASELOAD_FULL',
  DAILY_CAP_REACHED = 'DAILY_CAP_REACHED',
  CHILD_DAILY_LOAD = 'CHILD_DAILY_LOAD',
  /** The child or specialist has a session at another centre then; nothing more is said about it. */
  BUSY_ELSEWHERE = 'BUSY_ELSEWHERE',
}

registerEnumType(Discipline, { name: 'Discipline' });
registerEnumType(AvailabilityKind, { name: 'AvailabilityKind', description: 'AVAILABLE: working hours; UNAVAILABLE: leave, holidays' });
registerEnumType(SessionStatus, { name: 'SessionStatus' });
registerEnumType(ConflictWith, { name: 'ConflictWith' });
registerEnumType(SeriesScope, { name: 'SeriesScope', description: 'THIS occurrence, this and the FOLLOWING ones, or the whole SERIES' });
registerEnumType(BookingConflictReason, { name: 'BookingConflictReason' });

// ICC documentation: incidents, evidence, custody.

export enum IncidentDatePrecision {
  EXACT = 'EXACT',
  MONTH = 'MONTH',
  YEAR = 'YEAR',
  ESTIMATED = 'ESTIMATED',
}

/** How the sources qualify an incident in law (Rome Statute articles 7(1)(d), 8(2)(a)(vii), 8(2)(b)(viii), …). */
export enum LegalQualification {
  UNLAWFUL_DEPORTATION = 'UNLAWFUL_DEPORTATION',
  UNLAWFUL_TRANSFER = 'UNLAWFUL_TRANSFER',
  CHANGE_OF_CIVIL_STATUS = 'CHANGE_OF_CIVIL_STATUS',
  FORCED_ADOPTION = 'FORCED_ADOPTION',
  CITIZENSHIP_IMPOSED = 'CITIZENSHIP_IMPOSED',
  INDOCTRINATION = 'INDOCTRINATION',
  MILITARY_TRAINING = 'MILITARY_TRAINING',
  SEPARATION_FROM_FAMILY = 'SEPARATION_FROM_FAMILY',
  OTHER = 'OTHER',
}

export enum EvidenceKind {
  DOCUMENT = 'DOCUMENT',
  PHOTO = 'PHOTO',
  VIDEO = 'VIDEO',
  AUDIO = 'AUDIO',
  TESTIMONY_TRANSCRIPT = 'TESTIMONY_TRANSCRIPT',
  WEB_CAPTURE = 'WEB_CAPTURE',
  OTHER = 'OTHER',
}

/** RESTRICTED: investigators and the capturing organization only. CONFIDENTIAL: also the coordination council. */
export enum EvidenceClassification {
  RESTRICTED = 'RESTRICTED',
  CONFIDENTIAL = 'CONFIDENTIAL',
}

export enum CustodyEventKind {
  CAPTURED = 'CAPTURED',
  RECEIVED = 'RECEIVED',
  ACCESSED = 'ACCESSED',
  DOWNLOADED = 'DOWNLOADED',
  TRANSFERRED = 'TRANSFERRED',
  TRANSFER_ACKNOWLEDGED = 'TRANSFER_ACKNOWLEDGED',
  EXPORTED = 'EXPORTED',
  FIXITY_CHECKED = 'FIXITY_CHECKED',
}

registerEnumType(IncidentDatePrecision, { name: 'IncidentDatePrecision' });
registerEnumType(LegalQualification, { name: 'LegalQualification' });
registerEnumType(EvidenceKind, { name: 'EvidenceKind' });
registerEnumType(EvidenceClassification, { name: 'EvidenceClassification', description: 'RESTRICTED: investigators and the capturing organization only; CONFIDENTIAL: also the coordination council' });
registerEnumType(CustodyEventKind, { name: 'CustodyEventKind' });

// Identification: traces from external sources and record linkage.

/** What kind of source a trace comes from. */
export enum ExternalSourceKind {
  ADOPTION_REGISTRY = 'ADOPTION_REGISTRY',
  GUARDIANSHIP_OR_FOSTER = 'GUARDIANSHIP_OR_FOSTER',
  INSTITUTION_OR_CAMP_LIST = 'INSTITUTION_OR_CAMP_LIST',
  MEDIA_OR_SOCIAL = 'MEDIA_OR_SOCIAL',
  OMBUDSPERSON_LIST = 'OMBUDSPERSON_LIST',
  PARTNER_STATE = 'PARTNER_STATE',
  TIP = 'TIP',
  OTHER = 'OTHER',
}

/** How strong a proposed match is (below POSSIBLE nothing is stored). */
export enum MatchBand {
  LIKELY = 'LIKELY',
  POSSIBLE = 'POSSIBLE',
}

/** Where a match candidate is in review. */
export enum MatchStatus {
  OPEN = 'OPEN',
  CONFIRMED = 'CONFIRMED',
  REJECTED = 'REJECTED',
  SUPERSEDED = 'SUPERSEDED',
}

registerEnumType(ExternalSourceKind, { name: 'ExternalSourceKind' });
registerEnumType(MatchBand, { name: 'MatchBand', description: 'LIKELY and POSSIBLE bands of the match probability (thresholds are configuration)' });
registerEnumType(MatchStatus, { name: 'MatchStatus', description: 'OPEN until a person confirms or rejects it; SUPERSEDED when the trace was confirmed for another child' });
