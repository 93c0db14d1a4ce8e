/**
 * UI strings of the security fixes (duplicate-check disclosures in the audit log, one attachment per
 * upload, the attachment storage quota), to be merged into the typed dictionary. Until then
 * useH3T() (h3-text.ts) reads them.
 */
export const zhCN = {
  'audit.action.disclose': '查重告知',
  'customer.claimGone': '该客户已不在公海（可能刚被他人领取），或您已无权查看',
  'log.attachmentFailed': '联系记录已登记，但附件「{name}」未能上传：{reason}',
  'attachmentQuota.title': '附件存储空间',
  'attachmentQuota.before': '每位用户最多保存',
  'attachmentQuota.after': '的附件',
  'attachmentQuota.help':
    '按上传人累计联系记录附件的大小；超出后不能再上传，直到删除旧附件或调高上限。默认 1024 MB（1 GB）。',
} as const;

export type H3MessageKey = keyof typeof zhCN;

export const enUS: Record<H3MessageKey, string> = {
  'audit.action.disclose': 'Disclosed by duplicate check',
  'customer.claimGone':
    'This customer is no longer in the pool (someone may just have claimed it), or you may no longer see it',
  'log.attachmentFailed': 'The contact was logged, but the attachment "{name}" was not uploaded: {reason}',
  'attachmentQuota.title': 'Attachment storage',
  'attachmentQuota.before': 'Each user may keep up to',
  'attachmentQuota.after': 'of attachments',
  'attachmentQuota.help':
    'Counted per uploader over contact-log attachments; beyond it, uploads are refused until old ones are deleted or the limit is raised. Default 1024 MB (1 GB).',
};
