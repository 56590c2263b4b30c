import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { AuditLog } from '../audit/AuditLog';
import { CustodyEvent, EvidenceItem, Incident, User } from '../entities';
import { CustodyEventKind, EvidenceClassification, EvidenceKind, IncidentDatePrecision, LegalQualification } from '../schema/enums';
import { storeBuffer } from '../services/evidence/evidenceStore';

export interface EvidenceSeedOptions {
  logger?: Pick<Logger, 'info'>;
  audit: AuditLog;
  evidenceDir: string;
  /** How many incidents (default 16). */
  incidents?: number;
}

const DESTINATIONS = [
  ['RU', 'Krasnodar Krai', 'Camp "Druzhba", Anapa'], ['RU', 'Moscow Oblast', 'Children\'s home No. 4'], ['RU', 'Rostov Oblast', 'Taganrog boarding school'],
  ['BY', 'Minsk Region', 'Sanatorium "Dubrava"'], ['RU', 'Republic of Crimea', 'Camp "Luchisty"'],
] as const;
const FROM = ['Kherson', 'Mariupol', 'Izium', 'Melitopol', 'Nova Kakhovka', 'Berdiansk'];
const QUAL: LegalQualification[][] = [
  [LegalQualification.UNLAWFUL_DEPORTATION], [LegalQualification.UNLAWFUL_TRANSFER, LegalQualification.INDOCTRINATION],
  [LegalQualification.UNLAWFUL_DEPORTATION, LegalQualification.CHANGE_OF_CIVIL_STATUS, LegalQualification.FORCED_ADOPTION],
  [LegalQualification.UNLAWFUL_DEPORTATION, LegalQualification.CITIZENSHIP_IMPOSED],
];
const ITEMS: [EvidenceKind, string, string, string][] = [
  [EvidenceKind.TESTIMONY_TRANSCRIPT, 'Testimony of a returned child (transcript)', 'statement.txt', 'text/plain'],
  [EvidenceKind.DOCUMENT, 'Order on the "evacuation" of a children\'s home', 'order.txt', 'text/plain'],
  [EvidenceKind.WEB_CAPTURE, 'Capture of a regional news post about the arrival', 'capture.html', 'text/html'],
  [EvidenceKind.PHOTO, 'Photo of the bus at departure (metadata record)', 'photo-note.txt', 'text/plain'],
];

/**
 * Demo dossiers: incidents over a share of the demo cases, evidence items with small original files in the
 * store, their custody (CAPTURED, RECEIVED), audit entries, and a signed checkpoint. Deterministic; does
 * nothing when incidents exist.
 */
export async function seedEvidence(ds: DataSource, opts: EvidenceSeedOptions): Promise<{ incidents: number; items: number }> {
  if (await ds.getRepository(Incident).exists({})) return { incidents: 0, items: 0 };
  const investigator = await ds.getRepository(User).findOne({ where: { email: 'investigator@demo.bkb' } });
  const worker = await ds.getRepository(User).findOne({ where: { email: 'case_worker@demo.bkb' } });
  if (!investigator || !worker) return { incidents: 0, items: 0 };
  const cases: { id: string }[] = await ds.query(`SELECT c.id FROM case_file c JOIN child ch ON ch.id = c.child_id ORDER BY ch.family_name, ch.given_name, c.id`);
  const total = Math.min(opts.incidents ?? 16, Math.floor(cases.length / 3));
  let items = 0;
  const auditRows: Parameters<AuditLog['appendNow']>[1] = [];
  await ds.transaction(async (em) => {
    for (let n = 0; n < total; n++) {
      const [country, region, facility] = DESTINATIONS[n % DESTINATIONS.length];
      const concerned = [cases[n * 3], cases[n * 3 + 1], ...(n % 2 ? [cases[n * 3 + 2]] : [])].map((c) => c.id);
      const inc = await em.save(em.create(Incident, {
        occurredOn: `2022-${String(4 + (n % 8)).padStart(2, '0')}-${String(1 + ((n * 7) % 27)).padStart(2, '0')}`,
        occurredPrecision: n % 4 === 3 ? IncidentDatePrecision.MONTH : IncidentDatePrecision.EXACT,
        takenFrom: FROM[n % FROM.length], destinationCountry: country, destinationRegion: region, destinationFacility: facility,
        responsible: [`Occupation "administration" of ${FROM[n % FROM.length]}`], narrative: `Children were taken by bus from ${FROM[n % FROM.length]} to ${facility}.`,
        qualifications: QUAL[n % QUAL.length], organizationId: investigator.organizationId, createdById: investigator.id,
      }));
      await em.query('INSERT INTO incident_case (incident_id, case_id) SELECT $1, unnest($2::uuid[])', [inc.id, concerned]);
      auditRows.push({ operation: 'CREATE', entityType: 'Incident', entityId: inc.id, fields: ['caseIds', 'narrative', 'qualifications'], values: { n } });
      for (let k = 0; k < 2; k++) {
        const [kind, title, fileName, mediaType] = ITEMS[(n + k) % ITEMS.length];
        const byNgo = (n + k) % 5 === 0;
        const actor = byNgo ? worker : investigator;
        const body = Buffer.from(`${title}\nIncident ${n + 1}: ${FROM[n % FROM.length]} -> ${facility}\nDemo evidence file ${n}-${k}. Not real data.\n`, 'utf8');
        const stored = await storeBuffer(opts.evidenceDir, body);
        const item = await em.save(em.create(EvidenceItem, {
          kind, title, description: `Demo item for incident ${n + 1}`, capturedAt: new Date(Date.UTC(2022, 5 + (n % 6), 1 + k)), capturedBy: byNgo ? 'NGO field team' : 'Investigator',
          capturedWith: 'Demo seed', source: byNgo ? 'Family interview' : 'Open source',
          classification: byNgo ? EvidenceClassification.CONFIDENTIAL : EvidenceClassification.RESTRICTED,
          capturedByOrganizationId: actor.organizationId, custodianOrganizationId: actor.organizationId, createdById: actor.id,
          originalFileName: fileName, mediaType, sizeBytes: stored.size, sha256: stored.sha256, contentStoredAt: new Date(),
        }));
        await em.query('INSERT INTO evidence_incident (evidence_id, incident_id) VALUES ($1, $2)', [item.id, inc.id]);
        await em.query('INSERT INTO evidence_case (evidence_id, case_id) VALUES ($1, $2)', [item.id, concerned[0]]);
        await em.insert(CustodyEvent, [
          { evidenceId: item.id, kind: CustodyEventKind.CAPTURED, actorId: actor.id, organizationId: actor.organizationId },
          { evidenceId: item.id, kind: CustodyEventKind.RECEIVED, actorId: actor.id, organizationId: actor.organizationId, sha256: stored.sha256, note: `${stored.size} bytes` },
        ]);
        auditRows.push({ operation: 'CREATE', entityType: 'EvidenceItem', entityId: item.id, fields: ['kind', 'title'], values: { title } });
        auditRows.push({ operation: 'UPLOAD', entityType: 'EvidenceItem', entityId: item.id, fields: ['content', 'sha256'], values: { sha256: stored.sha256 } });
        items++;
      }
    }
    await opts.audit.append(em, auditRows.map((r) => ({ actorId: investigator.id, organizationId: investigator.organizationId, ...r })));
  });
  await opts.audit.checkpoint();
  opts.logger?.info({ incidents: total, items }, 'seeded incidents and evidence');
  return { incidents: total, items };
}
