import type { Locale } from '../../../common/i18n';
import { COMPANY_SIZES, CUSTOMER_STATUSES } from '../../../common/schemas/customers';
import type { TransferField } from '../../../common/schemas/transfer';

/** The columns of a customer export, in order, with their headers; an import recognises either header. */
export const TRANSFER_COLUMNS: { field: TransferField; zh: string; en: string }[] = [
  { field: 'name', zh: '客户名称', en: 'Customer name' },
  { field: 'creditCode', zh: '统一社会信用代码', en: 'Credit code' },
  { field: 'status', zh: '状态', en: 'Status' },
  { field: 'industry', zh: '行业', en: 'Industry' },
  { field: 'size', zh: '规模', en: 'Size' },
  { field: 'region', zh: '区域', en: 'Region' },
  { field: 'branch', zh: '分所', en: 'Branch' },
  { field: 'address', zh: '地址', en: 'Address' },
  { field: 'email', zh: '邮箱', en: 'E-mail' },
  { field: 'phone', zh: '电话', en: 'Phone' },
  { field: 'source', zh: '来源', en: 'Source' },
  { field: 'tags', zh: '标签', en: 'Tags' },
  { field: 'owner', zh: '负责业务员', en: 'Salesperson' },
  { field: 'contactName', zh: '联系人', en: 'Contact' },
  { field: 'contactTitle', zh: '职务', en: 'Title' },
  { field: 'contactDepartment', zh: '联系人部门', en: 'Contact department' },
  { field: 'contactPhones', zh: '联系人电话', en: 'Contact phones' },
  { field: 'contactEmails', zh: '联系人邮箱', en: 'Contact e-mails' },
  { field: 'contactWechat', zh: '微信', en: 'WeChat' },
  { field: 'contactPrimary', zh: '主要联系人', en: 'Primary contact' },
  { field: 'contactNotes', zh: '联系人备注', en: 'Contact notes' },
];

export const headerOf = (field: TransferField, locale: Locale) => {
  const column = TRANSFER_COLUMNS.find((c) => c.field === field)!;
  return locale === 'en-US' ? column.en : column.zh;
};

/** Separator of list cells (tags, phones, e-mails); `；` and `,` are accepted on import too. */
export const LIST_SEPARATOR = ';';
export const splitList = (cell: string) =>
  cell
    .split(/[;；,，\n]/)
    .map((s) => s.trim())
    .filter(Boolean);

type Labels<T extends string> = Record<T, { zh: string; en: string }>;
export const STATUS_LABELS: Labels<(typeof CUSTOMER_STATUSES)[number]> = {
  prospect: { zh: '潜在客户', en: 'Prospect' },
  customer: { zh: '客户', en: 'Customer' },
  former: { zh: '流失', en: 'Former' },
};
export const SIZE_LABELS: Labels<(typeof COMPANY_SIZES)[number]> = {
  micro: { zh: '微型', en: 'Micro' },
  small: { zh: '小型', en: 'Small' },
  medium: { zh: '中型', en: 'Medium' },
  large: { zh: '大型', en: 'Large' },
};
export const YES_NO = { yes: { zh: '是', en: 'Yes' }, no: { zh: '否', en: 'No' } };

export function labelOf<T extends string>(labels: Labels<T>, value: T | null, locale: Locale): string {
  if (value === null) return '';
  return locale === 'en-US' ? labels[value].en : labels[value].zh;
}

/** A cell's value as an enum code: the code itself or its Chinese or English label (case-insensitive); undefined when unknown. */
export function codeOf<T extends string>(labels: Labels<T>, cell: string): T | undefined {
  const wanted = cell.trim().toLowerCase();
  for (const [code, label] of Object.entries(labels) as [T, { zh: string; en: string }][]) {
    if (wanted === code.toLowerCase() || wanted === label.zh || wanted === label.en.toLowerCase()) return code;
  }
  return undefined;
}

export function allowedLabels(labels: Labels<string>, locale: Locale): string {
  return Object.values(labels)
    .map((l) => (locale === 'en-US' ? l.en : l.zh))
    .join(locale === 'en-US' ? ', ' : '、');
}

export function parseYesNo(cell: string): boolean | undefined {
  const v = cell.trim().toLowerCase();
  if (['是', 'yes', 'y', 'true', '1', '√'].includes(v)) return true;
  if (['否', 'no', 'n', 'false', '0', ''].includes(v)) return false;
  return undefined;
}
