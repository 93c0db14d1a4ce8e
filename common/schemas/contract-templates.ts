import { z } from 'zod';
import { Id, Timestamp, text } from './common';
import { TEMPLATE_FIELDS, type TemplateField } from './contracts';

/**
 * Contract templates 合同模板 (server/domains/contracts/templates.*): a .docx per business line whose
 * placeholders are docxtemplater tags — `{customerName}`, and the loops `{#lines}…{/lines}` and
 * `{#terms}…{/terms}` over the sub-fields below. Every placeholder must be one of the field list.
 */

/** The fields of each row of a list field (`{#lines}{description} {amount}{/lines}`). */
export const TEMPLATE_LIST_FIELDS = {
  lines: ['position', 'description', 'amount'],
  terms: ['position', 'kind', 'amount', 'amountCapitals', 'percent', 'trigger', 'dueOn', 'note'],
} as const satisfies Partial<Record<TemplateField, readonly string[]>>;
export type TemplateListField = keyof typeof TEMPLATE_LIST_FIELDS;

export const isListField = (name: string): name is TemplateListField => Object.hasOwn(TEMPLATE_LIST_FIELDS, name);
export const isTemplateField = (name: string): name is TemplateField =>
  (TEMPLATE_FIELDS as readonly string[]).includes(name);

/** One field a template may use: its label in both languages and the sample the preview shows. */
export const TemplateFieldInfo = z.object({
  /** What goes between the braces: `customerName`, or `lines` for the loop `{#lines}…{/lines}`. */
  name: z.string(),
  labelZh: z.string(),
  labelEn: z.string(),
  /** The sample contract's value (empty for a list). */
  sample: z.string(),
  /** For a list: the fields of each row, with the sample's first row. */
  fields: z
    .array(z.object({ name: z.string(), labelZh: z.string(), labelEn: z.string(), sample: z.string() }))
    .optional(),
});
export type TemplateFieldInfo = z.infer<typeof TemplateFieldInfo>;

export const ContractTemplateVersion = z.object({
  id: Id,
  version: z.int(),
  /** The placeholders the document uses: `customerName`, `lines`, `lines.description` … */
  fields: z.array(z.string()),
  filename: z.string(),
  size: z.int(),
  /** First published; null: never published. */
  publishedAt: Timestamp.nullable(),
  createdAt: Timestamp,
  createdByName: z.string().nullable(),
  /** How many contracts were made from this version (they keep it). */
  contractCount: z.int(),
});
export type ContractTemplateVersion = z.infer<typeof ContractTemplateVersion>;

export const ContractTemplate = z.object({
  id: Id,
  businessLineId: Id,
  businessLineName: z.string(),
  name: z.string(),
  /** The version new contracts are made from; null until one is published. */
  publishedVersion: z.int().nullable(),
  active: z.boolean(),
  /** Newest first. */
  versions: z.array(ContractTemplateVersion),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type ContractTemplate = z.infer<typeof ContractTemplate>;

export const ContractTemplateListQuery = z.strictObject({
  businessLineId: Id.optional(),
  active: z.enum(['true', 'false', 'all']).default('all'),
});

/** The text fields sent beside the .docx (multipart/form-data) when a template is created. */
export const ContractTemplateCreateFields = z.strictObject({ businessLineId: Id, name: text(100) });

export const TemplateVersionParams = z.strictObject({ id: Id, version: z.coerce.number().int().min(1).max(100000) });
