import { registerEnumType } from 'type-graphql';

/** PLANNING → APPROVED → IN_PROGRESS → COMPLETED, or FAILED / CANCELLED (with a reason). */
export enum ReturnOperationStatus {
  PLANNING = 'PLANNING',
  APPROVED = 'APPROVED',
  IN_PROGRESS = 'IN_PROGRESS',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}

export enum ReturnChildOutcome {
  PENDING = 'PENDING',
  RETURNED = 'RETURNED',
  NOT_RETURNED = 'NOT_RETURNED',
}

export enum ReturnDocumentState {
  NEEDED = 'NEEDED',
  REQUESTED = 'REQUESTED',
  OBTAINED = 'OBTAINED',
  VERIFIED = 'VERIFIED',
}

export enum GuardianVerificationKind {
  GUARDIAN_IDENTITY = 'GUARDIAN_IDENTITY',
  GUARDIANSHIP_AUTHORITY_DECISION = 'GUARDIANSHIP_AUTHORITY_DECISION',
}

export enum DnaTestStatus {
  NOT_REQUESTED = 'NOT_REQUESTED',
  REQUESTED = 'REQUESTED',
  MATCH = 'MATCH',
  NO_MATCH = 'NO_MATCH',
}

export enum VerificationStatus {
  PENDING = 'PENDING',
  VERIFIED = 'VERIFIED',
  REJECTED = 'REJECTED',
}

export enum ReintegrationItemKind {
  MEDICAL_CHECK = 'MEDICAL_CHECK',
  PSYCHOLOGICAL_ASSESSMENT = 'PSYCHOLOGICAL_ASSESSMENT',
  SCHOOL_ENROLMENT = 'SCHOOL_ENROLMENT',
  DOCUMENTS_RESTORED = 'DOCUMENTS_RESTORED',
  CENTRE_PLACEMENT = 'CENTRE_PLACEMENT',
  FAMILY_SUPPORT = 'FAMILY_SUPPORT',
  OTHER = 'OTHER',
}

export enum ReintegrationItemStatus {
  OPEN = 'OPEN',
  DONE = 'DONE',
  NOT_NEEDED = 'NOT_NEEDED',
}

export enum FollowUpKind {
  SESSION = 'SESSION',
  TASK = 'TASK',
}

registerEnumType(ReturnOperationStatus, { name: 'ReturnOperationStatus' });
registerEnumType(ReturnChildOutcome, { name: 'ReturnChildOutcome' });
registerEnumType(ReturnDocumentState, { name: 'ReturnDocumentState' });
registerEnumType(GuardianVerificationKind, { name: 'GuardianVerificationKind', description: "A guardian's identity and relationship checked, or a guardianship authority's decision" });
registerEnumType(DnaTestStatus, { name: 'DnaTestStatus' });
registerEnumType(VerificationStatus, { name: 'VerificationStatus' });
registerEnumType(ReintegrationItemKind, { name: 'ReintegrationItemKind' });
registerEnumType(ReintegrationItemStatus, { name: 'ReintegrationItemStatus' });
registerEnumType(FollowUpKind, { name: 'FollowUpKind', description: 'SESSION: a social-worker session at the centre; TASK: a dated visit to do' });
