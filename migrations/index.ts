import { CoreHub1764300000000 } from './1764300000000-CoreHub';
import { Scheduling1764400000000 } from './1764400000000-Scheduling';
import { Identification1764600000001 } from './1764600000001-Identification';
import { Evidence1764700000001 } from './1764700000001-Evidence';
import { Returns1764800000001 } from './1764800000001-Returns';
import { FieldChanges1764900000801 } from './1764900000801-FieldChanges';
import { AuditProofs1764900001001 } from './1764900001001-AuditProofs';
import { AuditReadBatches1764900001201 } from './1764900001201-AuditReadBatches';
import { PrincipalChanges1764900001401 } from './1764900001401-PrincipalChanges';
import { CaseShareProbe1764900001601 } from './1764900001601-CaseShareProbe';
import { AuditAppendHashed1764900002301 } from './1764900002301-AuditAppendHashed';
import { GivenNamesMore1764900002701 } from './1764900002701-GivenNamesMore';
import { GivenNameForms1764900002801 } from './1764900002801-GivenNameForms';
import { RecordSwappedNames1764900002901 } from './1764900002901-RecordSwappedNames';
import { GivenPatronymicIndex1764900003001 } from './1764900003001-GivenPatronymicIndex';
import { SurnameInitialIndex1764900003101 } from './1764900003101-SurnameInitialIndex';
import { VariantGivenPrefixIndex1764900003151 } from './1764900003151-VariantGivenPrefixIndex';
import { TraceAliases1764900003211 } from './1764900003211-TraceAliases';
import { OcrFoldedNames1764900003221 } from './1764900003221-OcrFoldedNames';
import { TraceSpellingStamps1764900003231 } from './1764900003231-TraceSpellingStamps';
import { BackfillRuns1764900003241 } from './1764900003241-BackfillRuns';
import { SearchTextSkeletons1764900003251 } from './1764900003251-SearchTextSkeletons';

/** Every migration, in order. Listed explicitly so the same list works from sources (tests) and from dist/. */
export const migrations = [CoreHub1764300000000, Scheduling1764400000000,
  Identification1764600000001,
  Evidence1764700000001,
  Returns1764800000001,
  FieldChanges1764900000801,
  AuditProofs1764900001001,
  AuditReadBatches1764900001201,
  PrincipalChanges1764900001401,
  CaseShareProbe1764900001601,
  AuditAppendHashed1764900002301,
  GivenNamesMore1764900002701,
  GivenNameForms1764900002801,
  RecordSwappedNames1764900002901,
  GivenPatronymicIndex1764900003001, SurnameInitialIndex1764900003101,
  VariantGivenPrefixIndex1764900003151, TraceAliases1764900003211, OcrFoldedNames1764900003221,
  TraceSpellingStamps1764900003231, BackfillRuns1764900003241, SearchTextSkeletons1764900003251];
