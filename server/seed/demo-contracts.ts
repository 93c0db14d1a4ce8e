import { createHash } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import type { Ctx, JobsTx } from '../context';
import { docxPackage, paragraph, table, type Cell } from '../domains/contracts/ooxml';
import { createTemplate, publishTemplateVersion } from '../domains/contracts/templates.service';
import type { Upload } from '../domains/files/files.service';
import { loadActor } from '../domains/staff/actors';
import { businessLines, users } from '../domains/staff/staff.tables';

/**
 * The demo firm's contract templates 合同模板, made as real .docx files (server/domains/contracts/ooxml.ts) and
 * uploaded and published through the service as an administrator would: 审计业务约定书 (审计), 代理记账委托合同
 * (代理记账), 资产评估委托合同 (资产评估). Each has the parties, the services table, the amount in figures and
 * in capitals, the payment terms table and the signatures.
 */

const FIRM = '秦信会计师事务所（特殊普通合伙）';

type Section = { heading: string; paragraphs?: string[]; after?: string[]; table?: string };

const heading = (text: string) => paragraph(text, { style: 'Heading1' });
const body = (text: string) => paragraph(text, { firstLine: true });

/** 甲方 and 乙方 with their particulars; the branch only when the contract names one. */
function parties(client: string, contractor: string): string[] {
  return [
    paragraph([{ text: `${client}：`, bold: true }, '{customerName}']),
    paragraph('统一社会信用代码：{customerCreditCode}'),
    paragraph('住所：{customerAddress}'),
    paragraph('联系人：{contactName}　　联系电话：{contactPhone}'),
    paragraph([{ text: `${contractor}：`, bold: true }, `${FIRM}{#branchName}{branchName}分所{/branchName}`]),
    paragraph('签约代表：{signatoryName}　　项目负责人：{ownerName}', { after: 6 }),
  ];
}

/** The services and fees, a row per contract line, and the total in figures. */
function linesTable(serviceTitle: string): string {
  return table({
    widths: [1, 6, 2.4],
    header: ['序号', serviceTitle, '费用（元）'],
    rows: [
      [{ runs: '{#lines}{position}', align: 'center' }, '{description}', { runs: '{amount}{/lines}', align: 'right' }],
      [
        { runs: '合计', align: 'center', span: 2 },
        { runs: '{amount}', align: 'right' },
      ],
    ],
  });
}

/** The payment terms, a row per term: 首付款 / 进度款 / 尾款, share, amount, when, due date. */
function termsTable(): string {
  const header: Cell[] = ['期次', '款项', '比例', '金额（元）', '付款时点', '应付日期'];
  return table({
    widths: [0.9, 1.2, 1, 1.9, 2.8, 2.4],
    header,
    rows: [
      [
        { runs: '{#terms}{position}', align: 'center' },
        { runs: '{kind}', align: 'center' },
        { runs: '{percent}', align: 'center' },
        { runs: '{amount}', align: 'right' },
        '{trigger}',
        { runs: '{dueOn}{/terms}', align: 'center' },
      ],
    ],
  });
}

function signatures(): string {
  return table({
    widths: [1, 1],
    borders: false,
    rows: [
      ['甲方（盖章）：', `乙方（盖章）：${FIRM}`],
      ['法定代表人或授权代表（签字）：', '授权代表（签字）：{signatoryName}'],
      ['日期：{signedOn}', '日期：{signedOn}'],
    ],
  });
}

function contractDocument(options: {
  title: string;
  numberLabel: string;
  client: string;
  contractor: string;
  preamble: string;
  serviceTitle: string;
  sections: Section[];
  feeHeading: string;
  feeText: string;
  closing: Section[];
}): Buffer {
  const numbered: string[] = [];
  let n = 0;
  const chinese = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二'];
  const add = (section: Section) => {
    numbered.push(heading(`${chinese[n++]}、${section.heading}`));
    for (const text of section.paragraphs ?? []) numbered.push(body(text));
    if (section.table) numbered.push(section.table, paragraph('', { after: 0 }));
    for (const text of section.after ?? []) numbered.push(body(text));
  };
  add({ heading: '服务内容及费用', table: linesTable(options.serviceTitle) });
  for (const section of options.sections) add(section);
  add({
    heading: options.feeHeading,
    paragraphs: [options.feeText, '甲方按以下约定分期支付：'],
    table: termsTable(),
    after: [
      '乙方收到款项后开具增值税发票。甲方逾期付款的，每逾期一日按逾期金额的万分之五支付违约金；逾期超过三十日的，乙方有权暂停服务。',
    ],
  });
  for (const section of options.closing) add(section);
  return docxPackage({
    title: options.title,
    body: [
      paragraph(options.title, { style: 'Title' }),
      paragraph(`${options.numberLabel}：{contractNumber}`, { align: 'right', after: 12 }),
      ...parties(options.client, options.contractor),
      body(options.preamble),
      ...numbered,
      paragraph('（以下无正文）', { align: 'center', after: 12 }),
      paragraph(''),
      signatures(),
    ],
  });
}

const EFFECT: Section = {
  heading: '约定事项的变更与生效',
  paragraphs: [
    '如需变更本合同的服务范围、期限或费用，双方应另行签订书面补充协议。',
    '本合同一式两份，甲乙双方各执一份，具有同等法律效力；自双方签字盖章之日起生效，至约定事项完成并结清款项之日终止。',
    '因本合同引起的争议，双方应协商解决；协商不成的，提交乙方所在地有管辖权的人民法院诉讼解决。',
  ],
};

/** 审计业务约定书 for the 审计 line (its wording follows 《中国注册会计师审计准则第1111号》's letter). */
export function auditEngagementLetter(): Buffer {
  return contractDocument({
    title: '审计业务约定书',
    numberLabel: '约定书编号',
    client: '甲方（委托单位）',
    contractor: '乙方（受托单位）',
    preamble:
      '兹由甲方委托乙方对{customerName}的财务报表进行审计。经双方协商，就“{contractTitle}”达成以下约定，以资共同遵守。',
    serviceTitle: '审计业务内容',
    sections: [
      {
        heading: '审计目标与范围',
        paragraphs: [
          '乙方接受甲方委托，对甲方按照企业会计准则编制的财务报表进行审计，并对财务报表是否在所有重大方面公允反映甲方的财务状况、经营成果和现金流量发表审计意见。',
        ],
      },
      {
        heading: '甲方的责任',
        paragraphs: [
          '按照企业会计准则的规定编制和公允列报财务报表，设计、执行和维护必要的内部控制，是甲方管理层的责任。',
          '甲方应及时为乙方的审计工作提供与审计有关的所有记录、文件和所需的其他信息，并确保所提供资料的真实性、合法性和完整性。',
          '甲方应为乙方派出的有关工作人员提供必要的工作条件和协助。',
        ],
      },
      {
        heading: '乙方的责任',
        paragraphs: [
          '乙方的责任是在执行审计工作的基础上对财务报表发表审计意见。乙方按照中国注册会计师审计准则的规定执行审计工作，遵守职业道德守则。',
          '乙方对执行业务过程中知悉的甲方信息予以保密，法律法规另有规定的除外。',
          '乙方应于{endOn}前出具审计报告一式三份。',
        ],
      },
      {
        heading: '服务期限',
        paragraphs: ['本约定书项下的审计工作自{startOn}开始，至{endOn}完成。'],
      },
    ],
    feeHeading: '审计收费及支付',
    feeText: '本约定书项下审计服务费合计人民币{amount}元（大写：人民币{amountCapitals}）。',
    closing: [EFFECT],
  });
}

/** 代理记账委托合同 for the 代理记账 line. */
export function bookkeepingContract(): Buffer {
  return contractDocument({
    title: '代理记账委托合同',
    numberLabel: '合同编号',
    client: '甲方（委托人）',
    contractor: '乙方（受托人）',
    preamble:
      '根据《中华人民共和国民法典》《代理记账管理办法》等规定，甲方委托乙方办理代理记账业务。经双方协商，就“{contractTitle}”订立本合同。',
    serviceTitle: '代理记账服务内容',
    sections: [
      {
        heading: '委托事项',
        paragraphs: [
          '乙方根据甲方提供的原始凭证和其他资料，按照国家统一的会计制度进行会计核算，包括审核原始凭证、填制记账凭证、登记会计账簿、编制财务会计报告，并按期办理纳税申报。',
        ],
      },
      {
        heading: '甲方的责任',
        paragraphs: [
          '甲方应建立健全内部控制，保证会计资料的真实、合法、完整，并于每月5日前将上月原始凭证交付乙方。',
          '甲方应配备专人负责票据管理和货币资金收付，对乙方退回的不符合规定的原始凭证及时补正。',
        ],
      },
      {
        heading: '乙方的责任',
        paragraphs: [
          '乙方应按约定及时完成记账、报税工作，每月向甲方提供财务报表，并对甲方的商业秘密负有保密义务。',
          '会计资料交接时，双方应填写交接清单并签字确认。',
        ],
      },
      {
        heading: '服务期限',
        paragraphs: ['代理记账服务期限自{startOn}起至{endOn}止。期满前一个月，双方可协商续签。'],
      },
    ],
    feeHeading: '服务费用及支付',
    feeText: '本合同服务期内代理记账服务费合计人民币{amount}元（大写：人民币{amountCapitals}）。',
    closing: [EFFECT],
  });
}

/** 资产评估委托合同 for the 资产评估 line. */
export function valuationContract(): Buffer {
  return contractDocument({
    title: '资产评估委托合同',
    numberLabel: '合同编号',
    client: '甲方（委托人）',
    contractor: '乙方（评估机构）',
    preamble:
      '根据《中华人民共和国资产评估法》及资产评估准则，甲方委托乙方就“{contractTitle}”提供资产评估服务。经双方协商，订立本合同。',
    serviceTitle: '评估对象及服务内容',
    sections: [
      {
        heading: '评估目的、对象和范围',
        paragraphs: [
          '评估目的、评估对象和评估范围以上表及甲方提供并经双方确认的资产清单为准；评估基准日由双方另行书面确认。',
          '评估报告仅供委托合同约定的使用人按约定的评估目的使用，不得用于其他目的。',
        ],
      },
      {
        heading: '甲方的责任',
        paragraphs: [
          '甲方应提供评估所需的权属证明、财务会计信息和其他资料，对其真实性、完整性和合法性负责，并为乙方现场调查提供必要条件。',
        ],
      },
      {
        heading: '乙方的责任',
        paragraphs: [
          '乙方应遵守资产评估准则，独立、客观、公正地执行评估业务，于{endOn}前出具资产评估报告，并对执业过程中知悉的甲方信息保密。',
        ],
      },
      {
        heading: '评估工作期限',
        paragraphs: ['评估工作自{startOn}开始，乙方在甲方资料齐备后按期完成。'],
      },
    ],
    feeHeading: '评估费用及支付',
    feeText: '本合同评估服务费合计人民币{amount}元（大写：人民币{amountCapitals}）。',
    closing: [EFFECT],
  });
}

/** The demo templates by business line code: [line code, template name, file name, the document]. */
export const DEMO_TEMPLATES: [string, string, string, () => Buffer][] = [
  ['SJ', '审计业务约定书', '审计业务约定书.docx', auditEngagementLetter],
  ['DZ', '代理记账委托合同', '代理记账委托合同.docx', bookkeepingContract],
  ['PG', '资产评估委托合同', '资产评估委托合同.docx', valuationContract],
];

/** An upload of a document made in memory. */
export function uploadOf(filename: string, content: Buffer): Upload {
  return {
    filename,
    size: content.length,
    sha256: createHash('sha256').update(content).digest('hex'),
    read: async () => content,
  };
}

/** Uploads and publishes the demo templates as `admin`. */
export async function seedDemoContractTemplates(tx: JobsTx): Promise<void> {
  const [admin] = await tx.db.select({ id: users.id }).from(users).where(eq(users.username, 'admin'));
  const ctx: Ctx = { ...tx, actor: (await loadActor(tx.db, admin.id))!, requestId: 'demo' };
  const lines = new Map(
    (
      await tx.db
        .select({ id: businessLines.id, code: businessLines.code })
        .from(businessLines)
        .where(
          inArray(
            businessLines.code,
            DEMO_TEMPLATES.map(([code]) => code),
          ),
        )
    ).map((l) => [l.code, l.id]),
  );
  for (const [code, name, filename, make] of DEMO_TEMPLATES) {
    const template = await createTemplate(ctx, { businessLineId: lines.get(code)!, name }, uploadOf(filename, make()));
    await publishTemplateVersion(ctx, template.id, 1);
  }
}
