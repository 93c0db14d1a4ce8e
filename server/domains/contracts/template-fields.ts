import { translate, type MessageKey } from '../../../common/i18n';
import { amountInCapitals } from '../../../common/money-words';
import { TEMPLATE_FIELDS, type TemplateField } from '../../../common/schemas/contracts';
import { TEMPLATE_LIST_FIELDS, isListField, type TemplateFieldInfo } from '../../../common/schemas/contract-templates';

/**
 * The sample contract a template preview is filled with, and the field list administrators copy
 * placeholders from (each field's label in both languages and its sample value).
 */
type RowOf<L extends keyof typeof TEMPLATE_LIST_FIELDS> = Record<(typeof TEMPLATE_LIST_FIELDS)[L][number], string>;

/** What a template is filled with: every field of the list, as text (documents.service.ts makes it from a contract). */
export type ContractDocumentData = Record<Exclude<TemplateField, 'lines' | 'terms'>, string> & {
  lines: RowOf<'lines'>[];
  terms: RowOf<'terms'>[];
};

export const SAMPLE_DOCUMENT: ContractDocumentData = {
  contractNumber: 'SJ-2026-0001',
  contractTitle: '西安华达科技有限公司2025年度财务报表审计',
  customerName: '西安华达科技有限公司',
  customerCreditCode: '91610131MA6U2B3C4D',
  customerAddress: '陕西省西安市高新区科技路48号',
  contactName: '王芳',
  contactPhone: '13991234567',
  branchName: '西安',
  signatoryName: '陈志远',
  ownerName: '李明',
  amount: '120,000.00',
  amountCapitals: amountInCapitals('120000.00'),
  signedOn: '2026年3月5日',
  startOn: '2026年3月10日',
  endOn: '2026年4月30日',
  today: '2026年3月5日',
  lines: [
    { position: '1', description: '2025年度财务报表审计', amount: '100,000.00' },
    { position: '2', description: '高新技术企业专项审计报告', amount: '20,000.00' },
  ],
  terms: [
    {
      position: '1',
      kind: '首付款',
      amount: '60,000.00',
      amountCapitals: amountInCapitals('60000.00'),
      percent: '50%',
      trigger: '合同签订时',
      dueOn: '2026年3月5日',
      note: '',
    },
    {
      position: '2',
      kind: '尾款',
      amount: '60,000.00',
      amountCapitals: amountInCapitals('60000.00'),
      percent: '50%',
      trigger: '业务完成（结项）后15日内',
      dueOn: '结项后确定',
      note: '出具审计报告后支付',
    },
  ],
};

const labels = (key: MessageKey) => ({ labelZh: translate('zh-CN', key), labelEn: translate('en-US', key) });

/** Every field a template may use, in the field list's order. */
export function templateFieldInfos(): TemplateFieldInfo[] {
  return TEMPLATE_FIELDS.map((name) => {
    if (!isListField(name)) return { name, ...labels(`contractTemplate.field.${name}`), sample: SAMPLE_DOCUMENT[name] };
    const first = SAMPLE_DOCUMENT[name][0] as Record<string, string>;
    return {
      name,
      ...labels(`contractTemplate.field.${name}`),
      sample: '',
      fields: TEMPLATE_LIST_FIELDS[name].map((field) => ({
        name: field,
        ...labels(`contractTemplate.field.${name}.${field}` as MessageKey),
        sample: first[field],
      })),
    };
  });
}
