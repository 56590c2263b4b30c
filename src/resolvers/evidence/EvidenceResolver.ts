import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { Case, CustodyEvent, EvidenceItem, Incident, Organization } from '../../entities';
import { forbidden } from '../../errors';
import {
  AuditTrailFilter, CreateEvidenceItemInput, CreateIncidentInput, EvidenceFilter, ExportDossierInput, TransferEvidenceInput,
} from '../../schema/evidence/inputs';
import {
  AuditCheckpoint, AuditEntry, AuditTrailConnection, DossierExport, EvidenceConnection, IncidentConnection, InclusionProof,
} from '../../schema/evidence/payloads';
import { AuditTrailService } from '../../services/evidence/AuditTrailService';
import { DossierExporter } from '../../services/evidence/DossierExporter';
import { evidenceLoaders } from '../../services/evidence/evidenceLoaders';
import { EvidenceService } from '../../services/evidence/EvidenceService';

@ArgsType()
class EvidencePageArgs {
  @Field(() => Int, { nullable: true, description: 'Page size (capped)' }) first?: number;
  @Field(() => String, { nullable: true }) after?: string;
}

const loadCases = async (ctx: Context, ids: string[]): Promise<Case[]> =>
  (await ctx.loaders.case.loadMany(ids)).filter((c): c is Case => !!c && !(c instanceof Error));

@Resolver(() => Incident)
export class IncidentResolver {
  @Authorized()
  @Query(() => Incident, { nullable: true, description: 'An incident, or null when it does not exist or you may not read it' })
  incident(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<Incident | null> {
    return EvidenceService.getIncident(ctx, id);
  }

  @Authorized()
  @Query(() => IncidentConnection)
  incidents(@Ctx() ctx: Context, @Args(() => EvidencePageArgs) { first, after }: EvidencePageArgs): Promise<IncidentConnection> {
    return EvidenceService.listIncidents(ctx, first, after);
  }

  @Authorized()
  @Mutation(() => Incident)
  createIncident(@Ctx() ctx: Context, @Arg('input', () => CreateIncidentInput) input: CreateIncidentInput): Promise<Incident> {
    return EvidenceService.createIncident(ctx, input);
  }

  @FieldResolver(() => [Case], { description: 'The cases concerned that you may read' })
  async cases(@Ctx() ctx: Context, @Root() i: Incident): Promise<Case[]> {
    return loadCases(ctx, await evidenceLoaders(ctx).caseIdsByIncident.load(i.id));
  }

  @FieldResolver(() => [EvidenceItem], { description: 'Evidence you may read' })
  evidence(@Ctx() ctx: Context, @Root() i: Incident): Promise<EvidenceItem[]> {
    return evidenceLoaders(ctx).evidenceByIncident.load(i.id);
  }

  @FieldResolver(() => Organization, { nullable: true, description: 'The organization that documented it' })
  organization(@Ctx() ctx: Context, @Root() i: Incident): Promise<Organization | null> {
    return ctx.loaders.organization.load(i.organizationId);
  }
}

@Resolver(() => EvidenceItem)
export class EvidenceItemResolver {
  @Authorized()
  @Query(() => EvidenceItem, { nullable: true, description: 'An item, or null when it does not exist or you may not read it' })
  evidenceItem(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<EvidenceItem | null> {
    return EvidenceService.getEvidence(ctx, id);
  }

  @Authorized()
  @Query(() => EvidenceConnection)
  evidenceItems(
    @Ctx() ctx: Context,
    @Arg('filter', () => EvidenceFilter, { nullable: true }) filter: EvidenceFilter | undefined,
    @Args(() => EvidencePageArgs) { first, after }: EvidencePageArgs,
  ): Promise<EvidenceConnection> {
    return EvidenceService.listEvidence(ctx, filter, first, after);
  }

  @Authorized()
  @Mutation(() => EvidenceItem, { description: 'Record an item; then upload its file with POST /evidence/{id}/content' })
  createEvidenceItem(@Ctx() ctx: Context, @Arg('input', () => CreateEvidenceItemInput) input: CreateEvidenceItemInput): Promise<EvidenceItem> {
    return EvidenceService.createEvidenceItem(ctx, input);
  }

  @Authorized()
  @Mutation(() => EvidenceItem)
  transferEvidence(@Ctx() ctx: Context, @Arg('input', () => TransferEvidenceInput) input: TransferEvidenceInput): Promise<EvidenceItem> {
    return EvidenceService.transferEvidence(ctx, input);
  }

  @Authorized()
  @Mutation(() => EvidenceItem, { description: 'The receiving organization takes custody' })
  acknowledgeEvidenceTransfer(@Ctx() ctx: Context, @Arg('evidenceId', () => ID) evidenceId: string): Promise<EvidenceItem> {
    return EvidenceService.acknowledgeTransfer(ctx, evidenceId);
  }

  @Authorized()
  @Mutation(() => DossierExport, { description: 'Write a BagIt bag (RFC 8493) of an incident or of cases for the court (investigators)' })
  exportDossier(@Ctx() ctx: Context, @Arg('input', () => ExportDossierInput) input: ExportDossierInput): Promise<DossierExport> {
    return DossierExporter.export(ctx, input);
  }

  @FieldResolver(() => [Incident])
  incidents(@Ctx() ctx: Context, @Root() e: EvidenceItem): Promise<Incident[]> {
    return evidenceLoaders(ctx).incidentsByEvidence.load(e.id);
  }

  @FieldResolver(() => [Case], { description: 'The cases it documents that you may read' })
  async cases(@Ctx() ctx: Context, @Root() e: EvidenceItem): Promise<Case[]> {
    return loadCases(ctx, await evidenceLoaders(ctx).caseIdsByEvidence.load(e.id));
  }

  @FieldResolver(() => EvidenceItem, { nullable: true, description: 'The original this copy derives from (if you may read it)' })
  derivedFrom(@Ctx() ctx: Context, @Root() e: EvidenceItem): Promise<EvidenceItem | null> | null {
    return e.derivedFromId ? evidenceLoaders(ctx).evidence.load(e.derivedFromId) : null;
  }

  @FieldResolver(() => [CustodyEvent], { description: 'The chain of custody, oldest first' })
  custody(@Ctx() ctx: Context, @Root() e: EvidenceItem): Promise<CustodyEvent[]> {
    return evidenceLoaders(ctx).custodyByEvidence.load(e.id);
  }

  @FieldResolver(() => Organization, { nullable: true })
  capturedByOrganization(@Ctx() ctx: Context, @Root() e: EvidenceItem): Promise<Organization | null> {
    return ctx.loaders.organization.load(e.capturedByOrganizationId);
  }

  @FieldResolver(() => Organization, { nullable: true })
  custodianOrganization(@Ctx() ctx: Context, @Root() e: EvidenceItem): Promise<Organization | null> {
    return ctx.loaders.organization.load(e.custodianOrganizationId);
  }

  @FieldResolver(() => Organization, { nullable: true, description: 'Waiting to acknowledge a transfer' })
  pendingTransferTo(@Ctx() ctx: Context, @Root() e: EvidenceItem): Promise<Organization | null> | null {
    return e.pendingTransferToId ? ctx.loaders.organization.load(e.pendingTransferToId) : null;
  }
}

@Resolver(() => CustodyEvent)
export class CustodyEventResolver {
  @FieldResolver(() => ID, { nullable: true })
  actorId(@Root() e: CustodyEvent): string | null {
    return e.actorId;
  }

  @FieldResolver(() => Organization, { nullable: true })
  organization(@Ctx() ctx: Context, @Root() e: CustodyEvent): Promise<Organization | null> | null {
    return e.organizationId ? ctx.loaders.organization.load(e.organizationId) : null;
  }

  @FieldResolver(() => Organization, { nullable: true })
  toOrganization(@Ctx() ctx: Context, @Root() e: CustodyEvent): Promise<Organization | null> | null {
    return e.toOrganizationId ? ctx.loaders.organization.load(e.toOrganizationId) : null;
  }
}

/** Incidents and evidence as nested fields of a case (each filtered like the top-level lists). */
@Resolver(() => Case)
export class CaseEvidenceResolver {
  @FieldResolver(() => [Incident], { nullable: true, description: 'Incidents concerning this case that you may read (null with FORBIDDEN for a summary reader)' })
  incidents(@Ctx() ctx: Context, @Root() c: Case): Promise<Incident[]> {
    return evidenceLoaders(ctx).incidentsByCase.load(c.id);
  }

  @FieldResolver(() => [EvidenceItem], { nullable: true, description: 'Evidence about this case that you may read (null with FORBIDDEN for a summary reader)' })
  evidence(@Ctx() ctx: Context, @Root() c: Case): Promise<EvidenceItem[]> {
    return evidenceLoaders(ctx).evidenceByCase.load(c.id);
  }
}

@Resolver(() => AuditEntry)
export class AuditTrailResolver {
  @Authorized()
  @Query(() => AuditTrailConnection, { description: 'The audit log (investigators and the coordination council), oldest first' })
  auditTrail(
    @Ctx() ctx: Context,
    @Arg('filter', () => AuditTrailFilter, { nullable: true }) filter: AuditTrailFilter | undefined,
    @Args(() => EvidencePageArgs) { first, after }: EvidencePageArgs,
  ): Promise<AuditTrailConnection> {
    return AuditTrailService.trail(ctx, filter, first, after);
  }

  @Authorized()
  @Mutation(() => AuditCheckpoint, { description: 'Sign a checkpoint now (they are also made at an interval)' })
  async createAuditCheckpoint(@Ctx() ctx: Context): Promise<AuditCheckpoint> {
    if (!ctx.ability.can('create', 'AuditCheckpoint')) throw forbidden('Checkpoints are for investigators and the coordination council');
    return AuditTrailService.withKey(ctx, await ctx.deps.audit.checkpoint());
  }

  @FieldResolver(() => InclusionProof, { nullable: true, description: 'Audit path against the latest checkpoint (null until one covers the entry)' })
  proof(@Ctx() ctx: Context, @Root() e: AuditEntry): Promise<InclusionProof | null> {
    return AuditTrailService.proof(ctx, e.seq);
  }
}
