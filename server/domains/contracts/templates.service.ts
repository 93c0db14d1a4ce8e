import { and, asc, count, desc, eq, inArray, isNotNull, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type {
  ContractTemplate,
  ContractTemplateCreateFields,
  ContractTemplateListQuery,
  TemplateFieldInfo,
} from '../../../common/schemas/contract-templates';
import { inTransaction, type Ctx } from '../../context';
import type { Db } from '../../db/client';
import { AppError, duplicate, inactiveReference, isUniqueViolation, notFound } from '../../errors';
import { recordAudit } from '../audit/audit.service';
import { getFile, storeFile, type Upload } from '../files/files.service';
import { files } from '../files/files.tables';
import { businessLines, users } from '../staff/staff.tables';
import { contractTemplates, contractTemplateVersions, contracts } from './contracts.tables';
import { readTemplate, renderTemplate } from './docx';
import { SAMPLE_DOCUMENT, templateFieldInfos } from './template-fields';

/**
 * Contract templates 合同模板 (contracts:configure): per business line, each a series of uploaded .docx
 * versions. A version is checked when uploaded (a .docx docxtemplater can read, using only the field list)
 * and never changes; publishing one makes it the version new contracts are made from, while a contract keeps
 * the version it was made from (contracts.templateVersionId).
 */

type TemplateRow = typeof contractTemplates.$inferSelect;

const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** Templates with their versions (newest first), business line names and how many contracts each version made. */
async function presentTemplates(db: Db, rows: TemplateRow[]): Promise<ContractTemplate[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [versions, lines, uses] = await Promise.all([
    db
      .select({
        id: contractTemplateVersions.id,
        templateId: contractTemplateVersions.templateId,
        version: contractTemplateVersions.version,
        fields: contractTemplateVersions.fields,
        publishedAt: contractTemplateVersions.publishedAt,
        createdAt: contractTemplateVersions.createdAt,
        createdByName: users.displayName,
        filename: files.filename,
        size: files.size,
      })
      .from(contractTemplateVersions)
      .innerJoin(files, eq(files.id, contractTemplateVersions.fileId))
      .leftJoin(users, eq(users.id, contractTemplateVersions.createdBy))
      .where(inArray(contractTemplateVersions.templateId, ids))
      .orderBy(desc(contractTemplateVersions.version)),
    db
      .select({ id: businessLines.id, name: businessLines.name })
      .from(businessLines)
      .where(
        inArray(
          businessLines.id,
          rows.map((r) => r.businessLineId),
        ),
      ),
    db
      .select({ versionId: contracts.templateVersionId, n: count() })
      .from(contracts)
      .innerJoin(contractTemplateVersions, eq(contractTemplateVersions.id, contracts.templateVersionId))
      .where(inArray(contractTemplateVersions.templateId, ids))
      .groupBy(contracts.templateVersionId),
  ]);
  const lineNames = new Map(lines.map((l) => [l.id, l.name]));
  const useCounts = new Map(uses.map((u) => [u.versionId, u.n]));
  return rows.map((row) => ({
    id: row.id,
    businessLineId: row.businessLineId,
    businessLineName: lineNames.get(row.businessLineId) ?? '',
    name: row.name,
    publishedVersion: row.publishedVersion,
    active: row.active,
    versions: versions
      .filter((v) => v.templateId === row.id)
      .map((v) => ({
        id: v.id,
        version: v.version,
        fields: v.fields,
        filename: v.filename,
        size: v.size,
        publishedAt: v.publishedAt?.toISOString() ?? null,
        createdAt: v.createdAt.toISOString(),
        createdByName: v.createdByName,
        contractCount: useCounts.get(v.id) ?? 0,
      })),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }));
}

/** Every template (of a business line), in the business lines' order, then by name. */
export async function listTemplates(
  ctx: Ctx,
  query: z.infer<typeof ContractTemplateListQuery>,
): Promise<ContractTemplate[]> {
  const filters: SQL[] = [];
  if (query.businessLineId) filters.push(eq(contractTemplates.businessLineId, query.businessLineId));
  if (query.active !== 'all') filters.push(eq(contractTemplates.active, query.active === 'true'));
  const rows = await ctx.db
    .select({ template: contractTemplates })
    .from(contractTemplates)
    .innerJoin(businessLines, eq(businessLines.id, contractTemplates.businessLineId))
    .where(and(...filters))
    .orderBy(asc(businessLines.sortOrder), asc(businessLines.name), asc(contractTemplates.name));
  return presentTemplates(
    ctx.db,
    rows.map((r) => r.template),
  );
}

export async function getTemplate(ctx: Ctx, id: string): Promise<ContractTemplate> {
  const [row] = await ctx.db.select().from(contractTemplates).where(eq(contractTemplates.id, id));
  if (!row) throw notFound();
  return (await presentTemplates(ctx.db, [row]))[0];
}

/** The fields a template may use, with both languages' labels and the sample contract's values. */
export function templateFields(): TemplateFieldInfo[] {
  return templateFieldInfos();
}

/** Reads and checks an upload before anything is written (TEMPLATE_NOT_DOCX / TEMPLATE_BROKEN / TEMPLATE_UNKNOWN_FIELDS). */
async function checkedUpload(upload: Upload): Promise<{ upload: Upload; fields: string[] }> {
  const content = await upload.read();
  const { fields } = readTemplate(content);
  return { upload: { ...upload, read: async () => content }, fields };
}

async function addVersion(
  tx: Ctx,
  template: TemplateRow,
  version: number,
  checked: { upload: Upload; fields: string[] },
): Promise<void> {
  const file = await storeFile(tx.db, { type: 'contract-template', id: template.id }, checked.upload, tx.actor.id);
  await tx.db.insert(contractTemplateVersions).values({
    templateId: template.id,
    version,
    fileId: file.id,
    fields: checked.fields,
    createdBy: tx.actor.id,
  });
}

/** A new template of a business line with its first version (not yet published). */
export async function createTemplate(
  ctx: Ctx,
  input: z.infer<typeof ContractTemplateCreateFields>,
  upload: Upload,
): Promise<ContractTemplate> {
  const checked = await checkedUpload(upload);
  const id = await inTransaction(ctx, async (tx) => {
    const [line] = await tx.db
      .select({ id: businessLines.id })
      .from(businessLines)
      .where(and(eq(businessLines.id, input.businessLineId), eq(businessLines.active, true)));
    if (!line) throw inactiveReference('field.businessLine');
    let template: TemplateRow;
    try {
      [template] = await tx.db
        .insert(contractTemplates)
        .values({ businessLineId: input.businessLineId, name: input.name, createdBy: ctx.actor.id })
        .returning();
    } catch (error) {
      if (isUniqueViolation(error, 'contract_templates_name_key')) throw duplicate('field.name', input.name);
      throw error;
    }
    await addVersion(tx, template, 1, checked);
    await recordAudit(tx, {
      action: 'create',
      entityType: 'contract-template',
      entityId: template.id,
      after: { businessLineId: template.businessLineId, name: template.name, version: 1, fields: checked.fields },
    });
    return template.id;
  });
  return getTemplate(ctx, id);
}

/** The template, locked for a change (NOT_FOUND when there is none). */
async function lockTemplate(tx: Ctx, id: string): Promise<TemplateRow> {
  const [row] = await tx.db.select().from(contractTemplates).where(eq(contractTemplates.id, id)).for('update');
  if (!row) throw notFound();
  return row;
}

/** Uploads the next version of a template (not yet published; the published one stays in use until then). */
export async function addTemplateVersion(ctx: Ctx, id: string, upload: Upload): Promise<ContractTemplate> {
  const checked = await checkedUpload(upload);
  await inTransaction(ctx, async (tx) => {
    const template = await lockTemplate(tx, id);
    const [last] = await tx.db
      .select({ version: contractTemplateVersions.version })
      .from(contractTemplateVersions)
      .where(eq(contractTemplateVersions.templateId, id))
      .orderBy(desc(contractTemplateVersions.version))
      .limit(1);
    const version = (last?.version ?? 0) + 1;
    await addVersion(tx, template, version, checked);
    await tx.db.update(contractTemplates).set({ updatedAt: new Date() }).where(eq(contractTemplates.id, id));
    await recordAudit(tx, {
      action: 'update',
      entityType: 'contract-template',
      entityId: id,
      after: { version, fields: checked.fields },
    });
  });
  return getTemplate(ctx, id);
}

/** Makes a version the one new contracts are made from (an earlier one may be published again). */
export async function publishTemplateVersion(ctx: Ctx, id: string, version: number): Promise<ContractTemplate> {
  await inTransaction(ctx, async (tx) => {
    const template = await lockTemplate(tx, id);
    const [row] = await tx.db
      .select()
      .from(contractTemplateVersions)
      .where(and(eq(contractTemplateVersions.templateId, id), eq(contractTemplateVersions.version, version)));
    if (!row) throw notFound();
    if (!row.publishedAt)
      await tx.db
        .update(contractTemplateVersions)
        .set({ publishedAt: new Date() })
        .where(eq(contractTemplateVersions.id, row.id));
    await tx.db
      .update(contractTemplates)
      .set({ publishedVersion: version, updatedAt: new Date() })
      .where(eq(contractTemplates.id, id));
    await recordAudit(tx, {
      action: 'publish',
      entityType: 'contract-template',
      entityId: id,
      before: { publishedVersion: template.publishedVersion },
      after: { publishedVersion: version },
    });
  });
  return getTemplate(ctx, id);
}

/** Switches a template off (no new contract is made from it; contracts made from it keep their version) or on again. */
export async function setTemplateActive(ctx: Ctx, id: string, active: boolean): Promise<ContractTemplate> {
  await inTransaction(ctx, async (tx) => {
    const template = await lockTemplate(tx, id);
    if (template.active === active) return;
    await tx.db.update(contractTemplates).set({ active, updatedAt: new Date() }).where(eq(contractTemplates.id, id));
    await recordAudit(tx, {
      action: active ? 'activate' : 'deactivate',
      entityType: 'contract-template',
      entityId: id,
      before: { active: template.active },
      after: { active },
    });
  });
  return getTemplate(ctx, id);
}

async function versionWithFile(db: Db, id: string, version: number) {
  const [row] = await db
    .select({
      id: contractTemplateVersions.id,
      name: contractTemplates.name,
      version: contractTemplateVersions.version,
      fileId: contractTemplateVersions.fileId,
    })
    .from(contractTemplateVersions)
    .innerJoin(contractTemplates, eq(contractTemplates.id, contractTemplateVersions.templateId))
    .where(and(eq(contractTemplateVersions.templateId, id), eq(contractTemplateVersions.version, version)));
  if (!row) throw notFound();
  return { ...row, file: await getFile(db, 'contract-template', id, row.fileId) };
}

/** The uploaded .docx of a version. */
export async function templateVersionFile(ctx: Ctx, id: string, version: number) {
  const { file } = await versionWithFile(ctx.db, id, version);
  return file;
}

/** A version filled with the sample contract (what a contract made from it will look like). */
export async function previewTemplateVersion(ctx: Ctx, id: string, version: number) {
  const row = await versionWithFile(ctx.db, id, version);
  return {
    contentType: DOCX_TYPE,
    filename: `${row.name}（第${row.version}版）示例.docx`.replace(/[\\/:*?"<>|]+/g, '-'),
    content: renderTemplate(row.file.content, SAMPLE_DOCUMENT),
  };
}

/**
 * The version a new contract of the business line is made from: the chosen template's published version, or
 * — without a choice — that of the line's active template published most recently. Null when there is none.
 */
export async function publishedTemplateVersion(
  db: Db,
  businessLineId: string,
  templateId?: string | null,
): Promise<{ id: string; templateId: string; version: number } | null> {
  const [row] = await db
    .select({
      id: contractTemplateVersions.id,
      templateId: contractTemplateVersions.templateId,
      version: contractTemplateVersions.version,
    })
    .from(contractTemplates)
    .innerJoin(
      contractTemplateVersions,
      and(
        eq(contractTemplateVersions.templateId, contractTemplates.id),
        eq(contractTemplateVersions.version, contractTemplates.publishedVersion),
      ),
    )
    .where(
      and(
        eq(contractTemplates.businessLineId, businessLineId),
        eq(contractTemplates.active, true),
        isNotNull(contractTemplates.publishedVersion),
        templateId ? eq(contractTemplates.id, templateId) : undefined,
      ),
    )
    .orderBy(desc(contractTemplates.updatedAt), asc(contractTemplates.id))
    .limit(1);
  return row ?? null;
}

/** The .docx a contract is rendered from: its own version, else its line's published one (null: none). */
export async function templateVersionToRender(
  db: Db,
  contract: { templateVersionId: string | null; businessLineId: string },
): Promise<{ id: string; content: Uint8Array } | null> {
  const versionId =
    contract.templateVersionId ?? (await publishedTemplateVersion(db, contract.businessLineId))?.id ?? null;
  if (!versionId) return null;
  const [row] = await db
    .select({ id: contractTemplateVersions.id, content: files.content })
    .from(contractTemplateVersions)
    .innerJoin(files, eq(files.id, contractTemplateVersions.fileId))
    .where(eq(contractTemplateVersions.id, versionId));
  if (!row) throw new AppError('TEMPLATE_NOT_PUBLISHED');
  return row;
}
