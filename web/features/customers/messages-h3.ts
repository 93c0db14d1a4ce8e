/**
 * UI strings of the security fixes (duplicate-check disclosures in the audit log, one attachment per
 * upload, the attachment storage quota), to be merged into the typed dictionary. Until then
 * useH3T() (h3-text.ts) reads them.
 */
export const zhCN = {
  'audit.action.disclose': '查重告知',
  'customer.claimGone': '该客户已不在公海（可能刚被他人领取），或您已无权查看',
} as const;

export type H3MessageKey = keyof typeof zhCN;

export const enUS: Record<H3MessageKey, string> = {
  'audit.action.disclose': 'Disclosed by duplicate check',
  'customer.claimGone':
    'This customer is no longer in the pool (someone may just have claimed it), or you may no longer see it',
};
