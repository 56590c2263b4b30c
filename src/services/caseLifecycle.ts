import { CaseStatus } from '../schema/enums';

const S = CaseStatus;

/**
 * The forward path of a case and the steps back the world does take (a located child moved again;
 * a return that failed). Any open case may be closed; a closed case reopens where it was closed from.
 */
const NEXT: Record<CaseStatus, CaseStatus[]> = {
  [S.REPORTED]: [S.IDENTIFIED],
  [S.IDENTIFIED]: [S.LOCATED],
  [S.LOCATED]: [S.RETURN_IN_PROGRESS, S.IDENTIFIED],
  [S.RETURN_IN_PROGRESS]: [S.RETURNED, S.LOCATED],
  [S.RETURNED]: [S.REINTEGRATION],
  [S.REINTEGRATION]: [S.AFTERCARE],
  [S.AFTERCARE]: [],
  [S.CLOSED]: [],
};

/** The statuses a case may move to; `closedFrom` is the status a closed case was closed from. */
export function allowedTransitions(from: CaseStatus, closedFrom?: CaseStatus | null): CaseStatus[] {
  if (from === S.CLOSED) return closedFrom && closedFrom !== S.CLOSED ? [...new Set([closedFrom, S.REPORTED])] : [S.REPORTED];
  return [...NEXT[from], S.CLOSED];
}

export function canTransition(from: CaseStatus, to: CaseStatus, closedFrom?: CaseStatus | null): boolean {
  return allowedTransitions(from, closedFrom).includes(to);
}

/** Every status in lifecycle order, e.g. for the demo seed. */
export const LIFECYCLE: CaseStatus[] = [S.REPORTED, S.IDENTIFIED, S.LOCATED, S.RETURN_IN_PROGRESS, S.RETURNED, S.REINTEGRATION, S.AFTERCARE, S.CLOSED];
