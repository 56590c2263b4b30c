import { subject } from '@casl/ability';
import type { EntityManager } from 'typeorm';
import { audit, flushAudit } from '../../audit/audit';
import { concernsAny, ENTRY_COLUMNS, entryFromRow } from '../../audit/AuditLog';
import { auditPaths } from '../../audit/proofs';
import { inclusionProofs, type AuditEntryRecord, type SignedCheckpoint } from '../../audit/chain';
import { accessSubject } from '../../auth/fieldGuard';
import { transactional, type Context } from '../../context';
import { Case, EvidenceItem, Incident } from '../../entities';
import { badInput, conflict, forbidden } from '../../errors';
import { CustodyEventKind } from '../../schema/enums';
import { MAX_DOSSIER_CASES, type ExportDossierInput } from '../../schema/evidence/inputs';
import type { DossierExport } from '../../schema/evidence/payloads';
import { requireUser } from '../CaseService';
import { whereAccessible } from '../loaders';
import { AuditTrailService } from './AuditTrailService';
import { BagWriter } from './bagWriter';
import { custodyOf, evidenceLoaders } from './evidenceLoaders';
import { contentPath } from './evidenceStore';
import { addCustodyMany } from './EvidenceService';

/** What a reader may see of a record: only the fields its rules grant (the same check as FieldGuard). */
async function readable(ctx: Context, type: string, row: Record<string, unknown> & { id: string }, fields: string[]): Promise<Record<string, unknown>> {
  const subj = await accessSubject(ctx, type, row);
  const out: Record<string, unknown> = {};
  for (const f of fields) if (ctx.ability.can('read', subj, f)) out[f] = row[f];
  return out;
}

const CASE_EXPORT_FIELDS = ['id', 'status', 'closeReason', 'version', 'priority', 'deportationDate', 'deportedFrom', 'deportationCircumstances', 'lastKnownCountry', 'lastKnownRegion', 'lastKnownFacility', 'createdAt', 'updatedAt'];
const CHILD_EXPORT_FIELDS = ['id', 'givenName', 'familyName', 'patronymic', 'latinName', 'aliases', 'birthDate', 'birthDatePrecision', 'sex', 'placeOfBirth', 'homeOblast', 'languages', 'currentLocation', 'healthNotes'];

const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(0, 120) || 'original';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What an export covers, as the exporter may read it. */
interface Scope {
  incidents: Incident[];
  caseIds: string[];
  cases: Case[];
  items: EvidenceItem[];
  /** Items whose original the exporter may read (and so is copied into the bag). */
  canContent: Set<string>;
}

/**
 * Writes BagIt bags (RFC 8493) of an incident or of cases: originals, records, custody, audit entries with proofs.
 *
 * The export is one unit: its custody events (EXPORTED), its audit entries and the checkpoint covering them
 * commit exactly when the bag is complete under its final name. The heavy, fallible work (copying and
 * re-hashing originals, the records) is done first, outside any transaction; then one transaction appends the
 * custody and audit rows, signs the checkpoint over them, writes what depends on them (custody logs, audit
 * entries with proofs, tag files) and renames the bag into place, as its last step before commit. Any failure,
 * the commit's included, rolls the rows back and removes the bag.
 */
export class DossierExporter {
  static async export(ctx: Context, input: ExportDossierInput): Promise<DossierExport> {
    const user = requireUser(ctx);
    if (!ctx.ability.can('create', 'Dossier')) throw forbidden('Only investigators export dossiers');
    const scope = await DossierExporter.scope(ctx, input);
    const { incidents, caseIds, cases, items, canContent } = scope;
    const loaders = evidenceLoaders(ctx);

    const bag = await BagWriter.open(ctx.deps.config.exportDir, 'dossier');
    let checkpoint: SignedCheckpoint;
    let entryCount = 0;
    const timing: Record<string, number> = {};
    try {
      // 1. Outside the transaction: records and originals (a missing or altered original stops the export here).
      const started = performance.now();
      const [incidentCases, children, itemIncidents, itemCases] = await Promise.all([
        loaders.caseIdsByIncident.loadMany(incidents.map((i) => i.id)),
        ctx.loaders.child.loadMany(cases.map((c) => c.childId)),
        loaders.incidentsByEvidence.loadMany(items.map((i) => i.id)),
        loaders.caseIdsByEvidence.loadMany(items.map((i) => i.id)),
      ]);
      const ok = <T>(v: T | Error): T => { if (v instanceof Error) throw v; return v; };
      for (const [n, inc] of incidents.entries()) await bag.addJson(`records/incidents/${inc.id}.json`, { ...inc, caseIds: ok(incidentCases[n]) });
      for (const [n, c] of cases.entries()) {
        const child = ok(children[n]);
        await bag.addJson(`records/cases/${c.id}.json`, {
          case: await readable(ctx, 'Case', c as unknown as Record<string, unknown> & { id: string }, CASE_EXPORT_FIELDS),
          child: child ? await readable(ctx, 'Child', child as unknown as Record<string, unknown> & { id: string }, CHILD_EXPORT_FIELDS) : null,
        });
      }
      for (const [n, it] of items.entries()) {
        const { capturedByOrganizationId, custodianOrganizationId, pendingTransferToId, createdById, derivedFromId, ...record } = it;
        await bag.addJson(`evidence/${it.id}/item.json`, {
          ...record, capturedByOrganizationId, custodianOrganizationId, pendingTransferToId, createdById, derivedFromId,
          incidentIds: ok(itemIncidents[n]).map((i) => i.id), caseIds: ok(itemCases[n]),
        });
        if (canContent.has(it.id)) {
          const copied = await bag.copy(`evidence/${it.id}/original/${safeName(it.originalFileName ?? it.id)}`, contentPath(ctx.deps.config.evidenceDir, it.sha256!));
          if (copied.sha256 !== it.sha256) {
            ctx.deps.logger.error({ evidenceId: it.id, expected: it.sha256, got: copied.sha256 }, 'evidence original missing or changed on disk: export refused; run npm run fixity');
            throw conflict(
              `EvidenceItem ${it.id}: its stored original is ${copied.sha256 ? 'no longer the file recorded (SHA-256 differs)' : 'missing'}; the export was refused and nothing was recorded`,
              { reason: 'EVIDENCE_FIXITY', evidenceId: it.id },
            );
          }
          copied.keep();
        }
      }
      // Audit entries about these records committed so far, and the tree they are in, read before any lock.
      const childIds = cases.map((c) => c.childId);
      const entityIds = [...incidents.map((i) => i.id), ...caseIds, ...childIds, ...items.map((i) => i.id), bag.name];
      const base = await ctx.deps.audit.checkpointBase();
      const before = await auditEntriesAbout(ctx.deps.dataSource.manager, entityIds, 0n, BigInt(base.size));
      await bag.add('audit/public-key.pem', ctx.deps.audit.keys.publicKeyPem);
      const org = await ctx.loaders.organization.load(user.organizationId);
      await bag.flush();
      timing.written = Math.round(performance.now() - started);

      // 2. One transaction: the custody and audit rows, the checkpoint over them, the rest of the bag, its final name.
      checkpoint = await transactional(ctx, async (tx) => {
        await addCustodyMany(tx, items.map((it) => ({ evidenceId: it.id, kind: CustodyEventKind.EXPORTED, sha256: canContent.has(it.id) ? it.sha256 : null, note: bag.name })));
        for (const it of items) {
          audit(tx, { operation: 'EXPORT', entityType: 'EvidenceItem', entityId: it.id, fields: canContent.has(it.id) ? ['content', 'custody'] : ['custody'], values: { bag: bag.name } });
        }
        audit(tx, {
          operation: 'EXPORT', entityType: 'Dossier', entityId: bag.name, fields: ['incidents', 'cases', 'evidence'],
          values: { incidents: incidents.map((i) => i.id), cases: caseIds, evidence: items.map((i) => [i.id, i.sha256]) },
        });
        // Custody logs before the audit order lock is taken; read in the transaction, so with this export's events.
        const custody = await custodyOf(tx, tx.em, items.map((i) => i.id));
        for (let i = 0; i < items.length; i += 16) {
          await Promise.all(items.slice(i, i + 16).map((it, k) => bag.addJson(`evidence/${it.id}/custody.json`, custody[i + k].map((e) => ({ ...e, at: e.at.toISOString() })))));
        }
        await bag.flush();
        // Appends the entries now (taking the audit order lock, held to commit), so the checkpoint covers them.
        await flushAudit(tx);
        const locked = performance.now();
        const c = await tx.deps.audit.checkpointIn(tx.em, base);
        const size = BigInt(c.size);
        const entries = [...before, ...await auditEntriesAbout(tx.em, entityIds, BigInt(base.size), size)];
        // O(log n) paths from the subtree hashes the checkpoint just stored (visible in this transaction).
        const indices = entries.map((e) => Number(e.seq) - 1);
        const proofs = await auditPaths((sql, params) => tx.em.query(sql, params), Number(c.size), c.root, indices)
          ?? inclusionProofs(await AuditTrailService.leaves(tx.em, 0n, size), indices);
        const body = entries.map((e) => JSON.stringify({ ...e, proof: { leafIndex: Number(e.seq) - 1, treeSize: Number(c.size), path: proofs.get(Number(e.seq) - 1) ?? [] } })).join('\n');
        await bag.add('audit/entries.jsonl', body ? `${body}\n` : '');
        await bag.addJson('audit/checkpoint.json', c);
        await bag.seal([
          ['Source-Organization', org?.name ?? user.organizationId],
          ['Bagging-Date', new Date().toISOString().slice(0, 10)],
          ['Bag-Software-Agent', 'bkb-hub exportDossier'],
          ['External-Identifier', bag.name],
          ['Internal-Sender-Description', input.incidentId ? `Incident ${incidents[0].id}` : `Cases ${caseIds.join(' ')}`],
          ['BKB-Audit-Checkpoint-Size', c.size],
          ['BKB-Audit-Checkpoint-Root', c.root],
          ['BKB-Audit-Key-Id', c.keyId],
        ]);
        entryCount = entries.length;
        timing.locked = Math.round(performance.now() - locked);
        return c;
      });
      timing.total = Math.round(performance.now() - started);
    } catch (e) {
      const left = await bag.discard();
      if (left) ctx.deps.logger.error({ err: left, bag: bag.name }, 'dossier export failed and its bag could not be removed');
      throw e;
    }
    // Committed: witnesses may now copy the checkpoint. Failing to publish it does not undo the export.
    try {
      ctx.deps.audit.publish(checkpoint);
    } catch (e) {
      ctx.deps.logger.error({ err: e, size: checkpoint.size }, 'audit: the checkpoint of a dossier export was not published');
    }
    ctx.deps.logger.info({ bag: bag.path, evidence: items.length, cases: cases.length, entries: entryCount, ms: timing }, 'dossier exported');
    return {
      bagName: bag.name, path: bag.path, evidenceCount: items.length, caseCount: cases.length, auditEntryCount: entryCount, payloadOxum: bag.payloadOxum,
      checkpoint: AuditTrailService.withKey(ctx, checkpoint),
    };
  }

  /**
   * The incidents, cases and evidence an export covers, as the exporter may read them. Ids are compared in
   * lower case (a UUID in capitals names the same record); an id the exporter may not read is refused
   * exactly like one that does not exist.
   */
  private static async scope(ctx: Context, input: ExportDossierInput): Promise<Scope> {
    const incidentId = input.incidentId?.toLowerCase() ?? null;
    const requested = input.caseIds ?? null;
    if (incidentId && requested) throw badInput('input', 'give either incidentId or caseIds, not both');
    if (!incidentId && !requested) throw badInput('input', 'give either incidentId or caseIds');
    const loaders = evidenceLoaders(ctx);
    const incidents: Incident[] = [];
    let caseIds: string[];
    if (incidentId) {
      if (!UUID.test(incidentId)) throw badInput('input.incidentId', 'is not an id');
      const inc = await loaders.incident.load(incidentId);
      if (!inc) throw badInput('input.incidentId', 'names no incident you may read');
      incidents.push(inc);
      caseIds = await loaders.caseIdsByIncident.load(inc.id);
    } else {
      if (requested!.length === 0) throw badInput('input.caseIds', 'name at least one case');
      if (requested!.length > MAX_DOSSIER_CASES) throw badInput('input.caseIds', `name at most ${MAX_DOSSIER_CASES} cases`);
      caseIds = [...new Set(requested!.map((id) => id.toLowerCase()))];
      const notId = caseIds.find((id) => !UUID.test(id));
      if (notId !== undefined) throw badInput('input.caseIds', 'every element must be an id');
      const found = await ctx.loaders.case.loadMany(caseIds);
      const bad = caseIds.find((_, i) => !found[i] || found[i] instanceof Error);
      if (bad) throw badInput('input.caseIds', `names no case you may read (${bad})`);
      for (const list of await loaders.incidentsByCase.loadMany(caseIds)) if (Array.isArray(list)) for (const i of list) if (!incidents.some((x) => x.id === i.id)) incidents.push(i);
    }
    const cases = (await ctx.loaders.case.loadMany(caseIds)).filter((c): c is Case => !!c && !(c instanceof Error));
    const qb = ctx.em.createQueryBuilder(EvidenceItem, 'ev').where(
      `(EXISTS (SELECT 1 FROM evidence_case l WHERE l.evidence_id = ev.id AND l.case_id = ANY(:cases))
        OR EXISTS (SELECT 1 FROM evidence_incident l WHERE l.evidence_id = ev.id AND l.incident_id = ANY(:incidents)))`,
      { cases: caseIds, incidents: incidents.map((i) => i.id) },
    ).orderBy('ev.created_at').addOrderBy('ev.id');
    const items = await whereAccessible(ctx, qb, 'read', 'EvidenceItem', 'ev').getMany();
    const canContent = new Set<string>();
    for (const it of items) if (it.sha256 && ctx.ability.can('read', subject('EvidenceContent', { ...it }))) canContent.add(it.id);
    return { incidents, caseIds, cases, items, canContent };
  }
}

/** Audit entries about any of `entityIds` with from < seq <= to, in order, through `em`. */
async function auditEntriesAbout(em: EntityManager, entityIds: string[], from: bigint, to: bigint): Promise<AuditEntryRecord[]> {
  if (to <= from) return [];
  const rows = await em.query(
    `SELECT ${ENTRY_COLUMNS} FROM audit_entry a WHERE ${concernsAny('$1::text[]')} AND a.seq > $2 AND a.seq <= $3 ORDER BY a.seq`,
    [entityIds, from.toString(), to.toString()],
  );
  return rows.map(entryFromRow);
}
