import type { z } from 'zod';
import type { Page } from '../../../common/schemas/common';
import { BranchCreate, BusinessLineCreate, type Branch, type BusinessLine } from '../../../common/schemas/staff';
import { branchesApi, businessLinesApi, regionsApi, type ReferenceListParams } from '../../api/resources';
import type { WebMessageKey } from '../../i18n';

export type ReferenceRecord = Branch | BusinessLine;
type ReferenceInput = { name: string; code?: string | null; sortOrder?: number };

/** What the generic page needs of a collection (method syntax: each API's own body type fits). */
type ReferenceResource = {
  path: string;
  list(params: ReferenceListParams): Promise<Page<ReferenceRecord>>;
  create(body: ReferenceInput): Promise<unknown>;
  update(id: string, body: Partial<ReferenceInput> & { active?: boolean }): Promise<unknown>;
  remove(id: string): Promise<unknown>;
};

export type ReferenceKind = {
  key: string;
  resource: ReferenceResource;
  titleKey: WebMessageKey;
  hintKey: WebMessageKey;
  /** The noun for one record, used in "New …" and empty states. */
  oneKey: WebMessageKey;
  /** The server's schema of the code field, used for the same check in the form. */
  codeSchema: z.ZodType;
  codeRequired: boolean;
  codeHelpKey: WebMessageKey;
};

/** Branches, regions and business lines: one page, configured three ways. */
export const REFERENCE_KINDS = {
  branches: {
    key: 'branches',
    resource: branchesApi,
    titleKey: 'reference.branches',
    hintKey: 'reference.branchesHint',
    oneKey: 'reference.branch.one',
    codeSchema: BranchCreate.shape.code,
    codeRequired: false,
    codeHelpKey: 'reference.codeHelpOptional',
  },
  regions: {
    key: 'regions',
    resource: regionsApi,
    titleKey: 'reference.regions',
    hintKey: 'reference.regionsHint',
    oneKey: 'reference.region.one',
    codeSchema: BranchCreate.shape.code,
    codeRequired: false,
    codeHelpKey: 'reference.codeHelpOptional',
  },
  businessLines: {
    key: 'business-lines',
    resource: businessLinesApi,
    titleKey: 'reference.businessLines',
    hintKey: 'reference.businessLinesHint',
    oneKey: 'reference.businessLine.one',
    codeSchema: BusinessLineCreate.shape.code,
    codeRequired: true,
    codeHelpKey: 'reference.codeHelpUpper',
  },
} as const satisfies Record<string, ReferenceKind>;
