import { subject } from '@casl/ability';
import { audit } from '../../audit/audit';
import { transactional, type Context } from '../../context';
import { CustodyEvent, EvidenceItem, Incident, Organization } from '../../entities';
import { appError, badInput, conflict, forbidden, notFound } from '../../errors';
import { CustodyEventKind, EvidenceClassification, IncidentDatePrecision } from '../../schema/enums';
import type { CreateEvidenceItemInput, CreateIncidentInput, EvidenceFilter, TransferEvidenceInput } from '../../schema/evidence/inputs';
import type { EvidenceConnection, IncidentConnection } from '../../schema/evidence/payloads';
import { assertId, pageSize, requireUser } from '../CaseService';
import { whereAccessible } from '../loaders';
import { evidenceLoaders } from './evidenceLoaders';
import { contentPath, storeStream, TooLargeError, type ContentSource } from './evidenceStore';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function encodeCursor(d: Date, id: string): string {
  return Buffer.from(`${d.toISOString()}|${id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { at: string; id: string } {
  const [at, id, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (extra !== undefined || !at || !id || Number.isNaN(Date.parse(at)) || !UUID.test(id)) throw badInput('after', 'is not a cursor this API gave out');
  return { at, id };
}

/** An HTTP-level refusal of the content endpoints (status and code). */
export class ContentError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** Appends one link to an item's chain of custody (inside the caller's transaction). */
export async function addCustody(tx: Context, evidenceId: string, kind: CustodyEventKind, extra: Partial<CustodyEvent> = {}): Promise<CustodyEvent> {
  return (await addCustodyMany(tx, [{ evidenceId, kind, ...extra }]))[0];
}

/** Appends custody events (one statement), by the transaction's user unless given. */
export async function addCustodyMany(tx: Context, events: (Partial<CustodyEvent> & { evidenceId: string; kind: CustodyEventKind })[]): Promise<CustodyEvent[]> {
  if (events.length === 0) return [];
  return tx.em.save(events.map((e) => tx.em.create(CustodyEvent, { actorId: tx.user?.id ?? null, organizationId: tx.user?.organizationId ?? null, ...e })));
}

/** Incidents, evidence items and their chain of custody, under the ICC permission rules. */
export class EvidenceService {
  static async getIncident(ctx: Context, id: string): Promise<Incident | null> {
    requireUser(ctx);
    assertId(id, 'id');
    return evidenceLoaders(ctx).incident.load(id);
  }

  static async getEvidence(ctx: Context, id: string): Promise<EvidenceItem | null> {
    requireUser(ctx);
    assertId(id, 'id');
    return evidenceLoaders(ctx).evidence.load(id);
  }

  static async listIncidents(ctx: Context, first: number | undefined, after: string | undefined): Promise<IncidentConnection> {
    requireUser(ctx);
    const limit = pageSize(first, 20, ctx.deps.config.maxPageSize);
    const qb = whereAccessible(ctx, ctx.em.createQueryBuilder(Incident, 'i'), 'read', 'Incident', 'i');
    const totalCount = await qb.clone().getCount();
    if (after) {
      const c = decodeCursor(after);
      qb.andWhere('(i.created_at, i.id) < (:at, :cid)', { at: c.at, cid: c.id });
    }
    const rows = await qb.orderBy('i.created_at', 'DESC').addOrderBy('i.id', 'DESC').take(limit + 1).getMany();
    const edges = rows.slice(0, limit).map((node) => ({ node, cursor: encodeCursor(node.createdAt, node.id) }));
    return { edges, totalCount, pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  static async listEvidence(ctx: Context, filter: EvidenceFilter | undefined, first: number | undefined, after: string | undefined): Promise<EvidenceConnection> {
    requireUser(ctx);
    const limit = pageSize(first, 20, ctx.deps.config.maxPageSize);
    const qb = ctx.em.createQueryBuilder(EvidenceItem, 'ev');
    if (filter?.incidentId) qb.andWhere('EXISTS (SELECT 1 FROM evidence_incident l WHERE l.evidence_id = ev.id AND l.incident_id = :inc)', { inc: filter.incidentId });
    if (filter?.caseId) qb.andWhere('EXISTS (SELECT 1 FROM evidence_case l WHERE l.evidence_id = ev.id AND l.case_id = :cid0)', { cid0: filter.caseId });
    whereAccessible(ctx, qb, 'read', 'EvidenceItem', 'ev');
    const totalCount = await qb.clone().getCount();
    if (after) {
      const c = decodeCursor(after);
      qb.andWhere('(ev.created_at, ev.id) < (:at, :cid)', { at: c.at, cid: c.id });
    }
    const rows = await qb.orderBy('ev.created_at', 'DESC').addOrderBy('ev.id', 'DESC').take(limit + 1).getMany();
    const loaders = evidenceLoaders(ctx);
    for (const r of rows) loaders.evidence.prime(r.id, r);
    const edges = rows.slice(0, limit).map((node) => ({ node, cursor: encodeCursor(node.createdAt, node.id) }));
    return { edges, totalCount, pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  /** Records an incident concerning one or more cases the investigator may read. */
  static async createIncident(ctx: Context, input: CreateIncidentInput): Promise<Incident> {
    const user = requireUser(ctx);
    if (!ctx.ability.can('create', 'Incident')) throw forbidden('Only investigators record incidents');
    const caseIds = [...new Set(input.caseIds)];
    const cases = await ctx.loaders.case.loadMany(caseIds);
    const missing = caseIds.find((_, i) => !cases[i] || cases[i] instanceof Error);
    if (missing) throw badInput('input.caseIds', `names no case you may read (${missing})`);
    const id = await transactional(ctx, async (tx) => {
      const inc = await tx.em.save(tx.em.create(Incident, {
        occurredOn: input.occurredOn ?? null,
        occurredPrecision: input.occurredPrecision ?? IncidentDatePrecision.EXACT,
        takenFrom: input.takenFrom ?? null,
        destinationCountry: input.destinationCountry ?? null,
        destinationRegion: input.destinationRegion ?? null,
        destinationFacility: input.destinationFacility ?? null,
        responsible: input.responsible ?? [],
        narrative: input.narrative ?? null,
        qualifications: input.qualifications ?? [],
        organizationId: user.organizationId,
        createdById: user.id,
      }));
      await tx.em.query('INSERT INTO incident_case (incident_id, case_id) SELECT $1, unnest($2::uuid[])', [inc.id, caseIds]);
      audit(tx, { operation: 'CREATE', entityType: 'Incident', entityId: inc.id, fields: Object.keys(input).sort(), values: input });
      return inc.id;
    });
    const inc = await evidenceLoaders(ctx).incident.load(id);
    if (!inc) throw notFound('Incident', id);
    return inc;
  }

  /** Records an evidence item's metadata (its CAPTURED custody event); the file follows by POST /evidence/{id}/content. */
  static async createEvidenceItem(ctx: Context, input: CreateEvidenceItemInput): Promise<EvidenceItem> {
    const user = requireUser(ctx);
    if (!ctx.ability.can('create', 'EvidenceItem')) throw forbidden('Your roles may not record evidence');
    const loaders = evidenceLoaders(ctx);
    const incidentIds = [...new Set(input.incidentIds ?? [])];
    const caseIds = [...new Set(input.caseIds ?? [])];
    const incidents = await loaders.incident.loadMany(incidentIds);
    const badIncident = incidentIds.find((_, i) => !incidents[i] || incidents[i] instanceof Error);
    if (badIncident) throw badInput('input.incidentIds', `names no incident you may read (${badIncident})`);
    const cases = await ctx.loaders.case.loadMany(caseIds);
    const badCase = caseIds.find((_, i) => !cases[i] || cases[i] instanceof Error);
    if (badCase) throw badInput('input.caseIds', `names no case you may read (${badCase})`);
    let derivedFrom: EvidenceItem | null = null;
    if (input.derivedFromId) {
      derivedFrom = await loaders.evidence.load(input.derivedFromId);
      if (!derivedFrom) throw badInput('input.derivedFromId', 'names no evidence item you may read');
    }
    const id = await transactional(ctx, async (tx) => {
      const item = await tx.em.save(tx.em.create(EvidenceItem, {
        kind: input.kind,
        title: input.title.trim(),
        description: input.description ?? null,
        capturedAt: input.capturedAt ?? null,
        capturedBy: input.capturedBy ?? null,
        capturedWith: input.capturedWith ?? null,
        source: input.source ?? null,
        classification: input.classification ?? EvidenceClassification.RESTRICTED,
        capturedByOrganizationId: user.organizationId,
        custodianOrganizationId: user.organizationId,
        createdById: user.id,
        derivedFromId: derivedFrom?.id ?? null,
      }));
      if (incidentIds.length) await tx.em.query('INSERT INTO evidence_incident (evidence_id, incident_id) SELECT $1, unnest($2::uuid[])', [item.id, incidentIds]);
      if (caseIds.length) await tx.em.query('INSERT INTO evidence_case (evidence_id, case_id) SELECT $1, unnest($2::uuid[])', [item.id, caseIds]);
      await addCustody(tx, item.id, CustodyEventKind.CAPTURED, { note: derivedFrom ? `derived from ${derivedFrom.id}` : null });
      audit(tx, { operation: 'CREATE', entityType: 'EvidenceItem', entityId: item.id, fields: Object.keys(input).sort(), values: input });
      return item.id;
    });
    const item = await loaders.evidence.load(id);
    if (!item) throw notFound('EvidenceItem', id);
    return item;
  }

  /** Starts a transfer of custody to another organization; it completes when a user there acknowledges. */
  static async transferEvidence(ctx: Context, input: TransferEvidenceInput): Promise<EvidenceItem> {
    requireUser(ctx);
    const id = await transactional(ctx, async (tx) => {
      const item = await EvidenceService.lockForWrite(tx, input.evidenceId, 'update', 'input.evidenceId');
      if (input.toOrganizationId === item.custodianOrganizationId) throw badInput('input.toOrganizationId', 'already holds the item');
      const org = await tx.em.findOne(Organization, { where: { id: input.toOrganizationId } });
      if (!org) throw badInput('input.toOrganizationId', 'names no organization');
      if (item.pendingTransferToId) throw conflict('A transfer of this item is already waiting for acknowledgement');
      await tx.em.update(EvidenceItem, { id: item.id }, { pendingTransferToId: org.id });
      await addCustody(tx, item.id, CustodyEventKind.TRANSFERRED, { toOrganizationId: org.id, note: input.note ?? null });
      audit(tx, { operation: 'TRANSFER', entityType: 'EvidenceItem', entityId: item.id, fields: ['pendingTransferTo'], values: { to: org.id, note: input.note ?? null } });
      return item.id;
    });
    return EvidenceService.reload(ctx, id);
  }

  /** The receiving organization acknowledges a transfer: custody passes to it. */
  static async acknowledgeTransfer(ctx: Context, evidenceId: string): Promise<EvidenceItem> {
    requireUser(ctx);
    const id = await transactional(ctx, async (tx) => {
      const item = await EvidenceService.lockForWrite(tx, evidenceId, 'acknowledge', 'evidenceId');
      const from = item.custodianOrganizationId;
      await tx.em.update(EvidenceItem, { id: item.id }, { custodianOrganizationId: item.pendingTransferToId!, pendingTransferToId: null });
      await addCustody(tx, item.id, CustodyEventKind.TRANSFER_ACKNOWLEDGED, { toOrganizationId: tx.user!.organizationId, note: `from ${from}` });
      audit(tx, { operation: 'ACKNOWLEDGE_TRANSFER', entityType: 'EvidenceItem', entityId: item.id, fields: ['custodian'], values: { from, to: tx.user!.organizationId } });
      return item.id;
    });
    return EvidenceService.reload(ctx, id);
  }

  /**
   * Streams an original in (POST /evidence/{id}/content): hashes while writing, refuses a mismatch with the
   * client's declared hash, stores it content-addressed and records RECEIVED custody plus an audit entry.
   */
  static async uploadContent(ctx: Context, id: string, body: ContentSource, meta: { declaredSha256: string | null; fileName: string | null; mediaType: string | null; length: number | null }): Promise<EvidenceItem> {
    if (!ctx.user) throw new ContentError(401, 'UNAUTHENTICATED', 'Send Authorization: Bearer <token>');
    const item = UUID.test(id) ? await evidenceLoaders(ctx).evidence.load(id) : null;
    if (!item) throw new ContentError(404, 'NOT_FOUND', `EvidenceItem ${id} was not found`);
    if (!ctx.ability.can('upload', subject('EvidenceItem', { ...item }))) throw new ContentError(403, 'FORBIDDEN', 'Only the organization holding the item uploads its original');
    if (item.sha256) throw new ContentError(409, 'CONFLICT', 'This item already has its original; a derived copy is a new item (derivedFromId)');
    const max = ctx.deps.config.evidenceMaxBytes;
    if (meta.length !== null && meta.length > max) throw new ContentError(413, 'BAD_USER_INPUT', `content is larger than ${max} bytes`);
    let stored;
    try {
      stored = await storeStream(ctx.deps.config.evidenceDir, body, max);
    } catch (e) {
      if (e instanceof TooLargeError) throw new ContentError(413, 'BAD_USER_INPUT', `content is larger than ${max} bytes`);
      throw e;
    }
    if (meta.declaredSha256 && meta.declaredSha256 !== stored.sha256) {
      // The stored bytes stay (content-addressed, harmless); the item is not linked to them.
      throw new ContentError(422, 'BAD_USER_INPUT', `content: SHA-256 ${stored.sha256} does not match the declared ${meta.declaredSha256}`);
    }
    await transactional(ctx, async (tx) => {
      const locked = await tx.em.createQueryBuilder(EvidenceItem, 'ev').setLock('pessimistic_write').where('ev.id = :id', { id: item.id }).getOne();
      if (!locked || locked.sha256) throw new ContentError(409, 'CONFLICT', 'This item already has its original');
      await tx.em.update(EvidenceItem, { id: item.id }, {
        sha256: stored.sha256, sizeBytes: stored.size, originalFileName: meta.fileName, mediaType: meta.mediaType, contentStoredAt: new Date(),
      });
      await addCustody(tx, item.id, CustodyEventKind.RECEIVED, { sha256: stored.sha256, note: `${stored.size} bytes` });
      audit(tx, { operation: 'UPLOAD', entityType: 'EvidenceItem', entityId: item.id, fields: ['content', 'sha256', 'sizeBytes', 'originalFileName', 'mediaType'], values: { sha256: stored.sha256, size: stored.size, fileName: meta.fileName, mediaType: meta.mediaType } });
    });
    return EvidenceService.reload(ctx, item.id);
  }

  /**
   * Opens an original for download (GET /evidence/{id}/content) after the permission check; the DOWNLOADED
   * custody event and the audit entry commit before a byte is sent.
   */
  static async openContent(ctx: Context, id: string): Promise<{ item: EvidenceItem; file: string }> {
    if (!ctx.user) throw new ContentError(401, 'UNAUTHENTICATED', 'Send Authorization: Bearer <token>');
    const item = UUID.test(id) ? await evidenceLoaders(ctx).evidence.load(id) : null;
    if (!item) throw new ContentError(404, 'NOT_FOUND', `EvidenceItem ${id} was not found`);
    if (!ctx.ability.can('read', subject('EvidenceContent', { ...item }))) throw new ContentError(403, 'FORBIDDEN', 'You may read this item\'s record but not its content');
    if (!item.sha256) throw new ContentError(404, 'NOT_FOUND', 'This item has no content yet');
    await transactional(ctx, async (tx) => {
      await addCustody(tx, item.id, CustodyEventKind.DOWNLOADED, { sha256: item.sha256 });
      audit(tx, { operation: 'DOWNLOAD', entityType: 'EvidenceItem', entityId: item.id, fields: ['content'], values: { sha256: item.sha256 } });
    });
    return { item, file: contentPath(ctx.deps.config.evidenceDir, item.sha256) };
  }

  /** Locks an item for a write, after checking (NOT_FOUND reveals nothing) that the user may see it and do `action`. */
  private static async lockForWrite(tx: Context, id: string, action: 'update' | 'acknowledge', field: string): Promise<EvidenceItem> {
    assertId(id, field);
    const qb = tx.em.createQueryBuilder(EvidenceItem, 'ev').setLock('pessimistic_write').where('ev.id = :id', { id });
    const item = await whereAccessible(tx, qb, 'read', 'EvidenceItem', 'ev').getOne();
    if (!item) throw notFound('EvidenceItem', id);
    if (!tx.ability.can(action, subject('EvidenceItem', { ...item }))) {
      throw action === 'acknowledge' ? badInput(field, 'no transfer of this item to your organization is waiting') : forbidden(`You may not ${action} this item`);
    }
    return item;
  }

  private static async reload(ctx: Context, id: string): Promise<EvidenceItem> {
    const loaders = evidenceLoaders(ctx);
    loaders.evidence.clear(id);
    loaders.custodyByEvidence.clear(id);
    const item = await loaders.evidence.load(id);
    if (!item) throw appError('NOT_FOUND', `EvidenceItem ${id} is no longer readable`);
    return item;
  }
}
