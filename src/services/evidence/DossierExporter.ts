import { subject } from '@casl/ability';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { audit } from '../../audit/audit';
import { concernsAny, ENTRY_COLUMNS, entryFromRow } from '../../audit/AuditLog';
import type { AuditEntryRecord } from '../../audit/chain';
import { accessSubject } from '../../auth/fieldGuard';
import { transactional, type Context } from '../../context';
import { Case, CustodyEvent, EvidenceItem, Incident } from '../../entities';
import { badInput, forbidden } from '../../errors';
import { CustodyEventKind } from '../../schema/enums';
import type { ExportDossierInput } from '../../schema/evidence/inputs';
import type { DossierExport } from '../../schema/evidence/payloads';
import { requireUser } from '../CaseService';
import { whereAccessible } from '../loaders';
import { AuditTrailService } from './AuditTrailService';
import { evidenceLoaders } from './evidenceLoaders';
import { contentPath } from './evidenceStore';
import { addCustody } from './EvidenceService';

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

/** Writes BagIt bags (RFC 8493) of an incident or of cases: originals, records, custody, audit entries with proofs. */
export class DossierExporter {
  static async export(ctx: Context, input: ExportDossierInput): Promise<DossierExport> {
    const user = requireUser(ctx);
    if (!ctx.ability.can('create', 'Dossier')) throw forbidden('Only investigators export dossiers');
    if (!!input.incidentId === !!input.caseIds?.length) throw badInput('input', 'give either incidentId or caseIds');
    const loaders = evidenceLoaders(ctx);
    const incidents: Incident[] = [];
    let caseIds: string[];
    if (input.incidentId) {
      const inc = await loaders.incident.load(input.incidentId);
      if (!inc) throw badInput('input.incidentId', 'names no incident you may read');
      incidents.push(inc);
      caseIds = await loaders.caseIdsByIncident.load(inc.id);
    } else {
      caseIds = [...new Set(input.caseIds!)];
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

    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const bagName = `dossier-${stamp}-${crypto.randomBytes(4).toString('hex')}`;
    // The export is itself a custody and an audit event, committed before the bag is written.
    await transactional(ctx, async (tx) => {
      for (const it of items) {
        await addCustody(tx, it.id, CustodyEventKind.EXPORTED, { sha256: canContent.has(it.id) ? it.sha256 : null, note: bagName });
        audit(tx, { operation: 'EXPORT', entityType: 'EvidenceItem', entityId: it.id, fields: canContent.has(it.id) ? ['content', 'custody'] : ['custody'], values: { bag: bagName } });
      }
      audit(tx, {
        operation: 'EXPORT', entityType: 'Dossier', entityId: bagName, fields: ['incidents', 'cases', 'evidence'],
        values: { incidents: incidents.map((i) => i.id), cases: caseIds, evidence: items.map((i) => [i.id, i.sha256]) },
      });
    });
    const checkpoint = await ctx.deps.audit.checkpoint();

    // Audit entries concerning the exported records, up to the covering checkpoint, with their proofs.
    const childIds = cases.map((c) => c.childId);
    const entityIds = [...incidents.map((i) => i.id), ...caseIds, ...childIds, ...items.map((i) => i.id), bagName];
    const rows = await ctx.em.query(
      `SELECT ${ENTRY_COLUMNS} FROM audit_entry a WHERE ${concernsAny('$1::text[]')} AND a.seq <= $2 ORDER BY a.seq`, [entityIds, checkpoint.size],
    );
    const entries: AuditEntryRecord[] = rows.map(entryFromRow);
    const proofs = await AuditTrailService.proofs(ctx, checkpoint, entries.map((e) => Number(e.seq) - 1));

    const root = ctx.deps.config.exportDir;
    const partial = path.join(root, `${bagName}.partial`);
    const data = path.join(partial, 'data');
    const manifest: [string, string][] = [];
    let bytes = 0;
    const writeJson = async (rel: string, value: unknown) => {
      const body = Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
      await fs.promises.mkdir(path.dirname(path.join(data, rel)), { recursive: true });
      await fs.promises.writeFile(path.join(data, rel), body, { flag: 'wx' });
      manifest.push([crypto.createHash('sha256').update(body).digest('hex'), `data/${rel}`]);
      bytes += body.length;
    };
    await fs.promises.mkdir(data, { recursive: true });
    for (const inc of incidents) await writeJson(`records/incidents/${inc.id}.json`, { ...inc, caseIds: await loaders.caseIdsByIncident.load(inc.id) });
    for (const c of cases) {
      const child = await ctx.loaders.child.load(c.childId);
      await writeJson(`records/cases/${c.id}.json`, {
        case: await readable(ctx, 'Case', c as unknown as Record<string, unknown> & { id: string }, CASE_EXPORT_FIELDS),
        child: child ? await readable(ctx, 'Child', child as unknown as Record<string, unknown> & { id: string }, CHILD_EXPORT_FIELDS) : null,
      });
    }
    const custody = await loaders.custodyByEvidence.loadMany(items.map((i) => i.id));
    for (const [n, it] of items.entries()) {
      const { capturedByOrganizationId, custodianOrganizationId, pendingTransferToId, createdById, derivedFromId, ...record } = it;
      await writeJson(`evidence/${it.id}/item.json`, {
        ...record, capturedByOrganizationId, custodianOrganizationId, pendingTransferToId, createdById, derivedFromId,
        incidentIds: (await loaders.incidentsByEvidence.load(it.id)).map((i) => i.id), caseIds: await loaders.caseIdsByEvidence.load(it.id),
      });
      await writeJson(`evidence/${it.id}/custody.json`, (custody[n] as CustodyEvent[]).map((e) => ({ ...e, at: e.at.toISOString() })));
      if (canContent.has(it.id)) {
        const rel = `evidence/${it.id}/original/${safeName(it.originalFileName ?? it.id)}`;
        const hash = crypto.createHash('sha256');
        await fs.promises.mkdir(path.dirname(path.join(data, rel)), { recursive: true });
        await pipeline(
          fs.createReadStream(contentPath(ctx.deps.config.evidenceDir, it.sha256!), { highWaterMark: 1 << 20 }),
          new Transform({ transform(chunk: Buffer, _e, done) { hash.update(chunk); bytes += chunk.length; done(null, chunk); } }),
          fs.createWriteStream(path.join(data, rel), { flags: 'wx' }),
        );
        const got = hash.digest('hex');
        if (got !== it.sha256) throw new Error(`evidence ${it.id}: the stored original no longer has its SHA-256 (fixity failure); export stopped`);
        manifest.push([got, `data/${rel}`]);
      }
    }
    const entriesBody = entries.map((e) => JSON.stringify({ ...e, proof: { leafIndex: Number(e.seq) - 1, treeSize: Number(checkpoint.size), path: proofs.get(Number(e.seq) - 1) ?? [] } })).join('\n');
    const jsonl = Buffer.from(entriesBody ? `${entriesBody}\n` : '', 'utf8');
    await fs.promises.mkdir(path.join(data, 'audit'), { recursive: true });
    await fs.promises.writeFile(path.join(data, 'audit', 'entries.jsonl'), jsonl);
    manifest.push([crypto.createHash('sha256').update(jsonl).digest('hex'), 'data/audit/entries.jsonl']);
    bytes += jsonl.length;
    await writeJson('audit/checkpoint.json', checkpoint);
    const pem = Buffer.from(ctx.deps.audit.keys.publicKeyPem, 'utf8');
    await fs.promises.writeFile(path.join(data, 'audit', 'public-key.pem'), pem);
    manifest.push([crypto.createHash('sha256').update(pem).digest('hex'), 'data/audit/public-key.pem']);
    bytes += pem.length;

    const oxum = `${bytes}.${manifest.length}`;
    const tags: [string, string][] = [];
    const writeTag = async (name: string, body: string) => {
      const buf = Buffer.from(body, 'utf8');
      await fs.promises.writeFile(path.join(partial, name), buf, { flag: 'wx' });
      tags.push([crypto.createHash('sha256').update(buf).digest('hex'), name]);
    };
    await writeTag('bagit.txt', 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
    await writeTag('manifest-sha256.txt', manifest.map(([h, p]) => `${h}  ${p}\n`).join(''));
    const org = await ctx.loaders.organization.load(user.organizationId);
    await writeTag('bag-info.txt', [
      `Source-Organization: ${(org?.name ?? user.organizationId).replace(/[\r\n]/g, ' ')}`,
      `Bagging-Date: ${new Date().toISOString().slice(0, 10)}`,
      `Payload-Oxum: ${oxum}`,
      'Bag-Software-Agent: bkb-hub exportDossier',
      `External-Identifier: ${bagName}`,
      `Internal-Sender-Description: ${input.incidentId ? `Incident ${input.incidentId}` : `Cases ${caseIds.join(' ')}`}`,
      `BKB-Audit-Checkpoint-Size: ${checkpoint.size}`,
      `BKB-Audit-Checkpoint-Root: ${checkpoint.root}`,
      `BKB-Audit-Key-Id: ${checkpoint.keyId}`,
      '',
    ].join('\n'));
    await fs.promises.writeFile(path.join(partial, 'tagmanifest-sha256.txt'), tags.map(([h, p]) => `${h}  ${p}\n`).join(''), { flag: 'wx' });
    const final = path.join(root, bagName);
    await fs.promises.rename(partial, final);
    ctx.deps.logger.info({ bag: final, evidence: items.length, cases: cases.length, entries: entries.length }, 'dossier exported');
    return {
      bagName, path: final, evidenceCount: items.length, caseCount: cases.length, auditEntryCount: entries.length, payloadOxum: oxum,
      checkpoint: AuditTrailService.withKey(ctx, checkpoint),
    };
  }
}
