import type { StageRequirement } from '../../common/schemas/opportunities';

/**
 * The default sales pipeline (business lines without their own use it): the stages of a
 * professional-services sale, with win probabilities. A quote is required before 商务报价,
 * and the acceptance checklist (for lines that have one) before 赢单.
 */
export const DEFAULT_PIPELINE: {
  nameZh: string;
  nameEn: string;
  kind: 'open' | 'won' | 'lost';
  probability: number;
  requiredFields: StageRequirement[];
}[] = [
  { nameZh: '初步接洽', nameEn: 'First contact', kind: 'open', probability: 10, requiredFields: [] },
  { nameZh: '需求分析', nameEn: 'Needs analysis', kind: 'open', probability: 25, requiredFields: ['contact'] },
  { nameZh: '方案建议', nameEn: 'Proposal', kind: 'open', probability: 40, requiredFields: ['expectedAmount'] },
  { nameZh: '商务报价', nameEn: 'Quotation', kind: 'open', probability: 60, requiredFields: ['quote'] },
  { nameZh: '商务谈判', nameEn: 'Negotiation', kind: 'open', probability: 80, requiredFields: ['expectedCloseOn'] },
  { nameZh: '赢单', nameEn: 'Won', kind: 'won', probability: 100, requiredFields: ['acceptance'] },
  { nameZh: '输单', nameEn: 'Lost', kind: 'lost', probability: 0, requiredFields: [] },
];
