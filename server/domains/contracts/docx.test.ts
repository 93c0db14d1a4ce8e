import PizZip from 'pizzip';
import { describe, expect, it } from 'vitest';
import { translate, type MessageKey } from '../../../common/i18n';
import { AppError } from '../../errors';
import { DEMO_TEMPLATES } from '../../seed/demo-contracts';
import { amountInFigures, dateInWords, triggerInWords } from './documents.service';
import { readTemplate, renderTemplate } from './docx';
import { docxPackage, documentText, paragraph, table } from './ooxml';
import { SAMPLE_DOCUMENT } from './template-fields';

const docx = (...body: string[]) => docxPackage({ title: '测试', body });

/** The AppError a call throws (fails the test when it throws nothing or something else). */
function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected an AppError');
}

/** TEMPLATE_BROKEN's message as the API shows it in a language (reasonKey filled with the other parameters). */
function brokenMessage(error: AppError, locale: 'zh-CN' | 'en-US') {
  const reason = translate(locale, error.params.reasonKey as MessageKey, error.params);
  return translate(locale, 'error.TEMPLATE_BROKEN', { reason });
}

describe('reading a template', () => {
  it('finds placeholders Word split over several runs, loops and their row fields, in first-use order', () => {
    const template = docx(
      // Word often splits a tag where the author typed, corrected or formatted part of it.
      paragraph(['客户：{cust', { text: 'omerName', bold: true }, '}，编号', '{contract', 'Number}']),
      table({
        widths: [3, 1],
        rows: [['{#lines}{description}', '{amount}{/lines}']],
      }),
      paragraph('{#terms}{kind} {percent}{/terms}'),
      paragraph('合计 {amount}'),
    );
    expect(readTemplate(template).fields).toEqual([
      'customerName',
      'contractNumber',
      'lines',
      'lines.description',
      'lines.amount',
      'terms',
      'terms.kind',
      'terms.percent',
      'amount',
    ]);
    const text = documentText(
      renderTemplate(template, {
        customerName: '西安华达科技有限公司',
        contractNumber: 'SJ-2026-0007',
        amount: '30,000.00',
        lines: [
          { description: '年报审计', amount: '20,000.00' },
          { description: '专项审计', amount: '10,000.00' },
        ],
        terms: [{ kind: '首付款', percent: '50%' }],
      }),
    );
    expect(text).toContain('客户：西安华达科技有限公司，编号SJ-2026-0007');
    // The row repeats per line; inside the loop {amount} is the line's, outside the contract's.
    expect(text).toContain('年报审计\n\t20,000.00\n\t');
    expect(text).toContain('专项审计\n\t10,000.00\n\t');
    expect(text).toContain('首付款 50%');
    expect(text).toContain('合计 30,000.00');
  });

  it('treats a section over a plain field as a condition and leaves missing values empty, never "undefined"', () => {
    const template = docx(
      paragraph('乙方：某所{#branchName}{branchName}分所{/branchName}；签约代表：{signatoryName}。'),
    );
    expect(readTemplate(template).fields).toEqual(['branchName', 'signatoryName']);
    expect(documentText(renderTemplate(template, { branchName: '西安', signatoryName: '陈志远' }))).toContain(
      '乙方：某所西安分所；签约代表：陈志远。',
    );
    const bare = documentText(renderTemplate(template, { branchName: '' }));
    expect(bare).toContain('乙方：某所；签约代表：。');
    expect(bare).not.toContain('undefined');
  });

  it('refuses placeholders outside the field list, naming each of them', () => {
    const error = thrown(() =>
      readTemplate(
        docx(
          paragraph('{customerName} {customer_name} {客户名称}'),
          paragraph('{#lines}{description} {fee}{/lines}'),
          paragraph('{#services}{description}{/services} {lines} {terms.kind}'),
        ),
      ),
    );
    expect(error.code).toBe('TEMPLATE_UNKNOWN_FIELDS');
    expect(error.details).toMatchObject({
      fields: ['{customer_name}', '{客户名称}', '{fee}', '{#services}', '{description}', '{lines}', '{terms.kind}'],
    });
    expect(translate('zh-CN', 'error.TEMPLATE_UNKNOWN_FIELDS', error.params)).toBe(
      '模板中有字段列表以外的占位符：{customer_name} {客户名称} {fee} {#services} {description} {lines} {terms.kind}',
    );
  });

  it('refuses what is not a .docx: other bytes, a zip without a Word document, a spreadsheet', () => {
    expect(thrown(() => readTemplate(Buffer.from('这不是 Word 文档'))).code).toBe('TEMPLATE_NOT_DOCX');
    const zip = new PizZip();
    zip.file('readme.txt', '{customerName}');
    expect(thrown(() => readTemplate(zip.generate({ type: 'nodebuffer' }))).code).toBe('TEMPLATE_NOT_DOCX');
    const sheet = new PizZip();
    sheet.file('[Content_Types].xml', '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>');
    sheet.file('xl/workbook.xml', '<workbook/>');
    expect(thrown(() => readTemplate(sheet.generate({ type: 'nodebuffer' }))).code).toBe('TEMPLATE_NOT_DOCX');
  });

  it('explains a template docxtemplater cannot parse in both languages, naming the tag as it reads it', () => {
    const unclosed = thrown(() => readTemplate(docx(paragraph('甲方：{customerName'), paragraph('乙方'))));
    expect(unclosed.code).toBe('TEMPLATE_BROKEN');
    expect(brokenMessage(unclosed, 'zh-CN')).toBe('模板无法解析：以「customerName乙方」开头的占位符缺少右花括号“}”');
    expect(brokenMessage(unclosed, 'en-US')).toBe(
      'The template cannot be read: the placeholder starting “customerName乙方” has no closing “}”',
    );

    const mismatched = thrown(() => readTemplate(docx(paragraph('{#lines}{description}{/terms}'))));
    expect(brokenMessage(mismatched, 'zh-CN')).toBe('模板无法解析：循环「lines」被「terms」结束，开始与结束标记须相同');
    const unclosedLoop = thrown(() => readTemplate(docx(paragraph('{#terms}{kind}'))));
    expect(brokenMessage(unclosedLoop, 'en-US')).toBe(
      'The template cannot be read: the loop “terms” is never closed (it should end with /terms)',
    );
    // Raw XML would let a customer's name write markup into the document.
    const raw = thrown(() => readTemplate(docx(paragraph('{@customerName}'))));
    expect(raw.code).toBe('TEMPLATE_BROKEN');
    expect(brokenMessage(raw, 'zh-CN')).toBe('模板无法解析：不支持原样 XML 占位符「@customerName」，请改为普通占位符');
  });
});

describe('the document words', () => {
  it('writes amounts in figures with thousands separators, exactly', () => {
    const cases: [string, string][] = [
      ['0', '0.00'],
      ['0.05', '0.05'],
      ['5.5', '5.50'],
      ['100', '100.00'],
      ['1000', '1,000.00'],
      ['100010.10', '100,010.10'],
      ['1234567.89', '1,234,567.89'],
      ['999999999999.99', '999,999,999,999.99'],
    ];
    for (const [amount, figures] of cases) expect(amountInFigures(amount), amount).toBe(figures);
  });

  it('writes dates and payment triggers as a Chinese contract does', () => {
    expect(dateInWords('2026-03-05')).toBe('2026年3月5日');
    expect(triggerInWords('signing', null, null)).toBe('合同签订时');
    expect(triggerInWords('date', '2026-06-30', null)).toBe('2026年6月30日');
    expect(triggerInWords('days-after-signing', null, 30)).toBe('合同签订后30日内');
    expect(triggerInWords('completion', null, null)).toBe('业务完成（结项）时');
    expect(triggerInWords('days-after-completion', null, 15)).toBe('业务完成（结项）后15日内');
  });
});

describe('the demo templates', () => {
  it.each(DEMO_TEMPLATES)('%s · %s uses the fields and fills in the sample contract', (_code, name, _file, make) => {
    const template = make();
    const zip = new PizZip(template);
    // A complete package: content types, relationships, styles with the Chinese fonts.
    expect(zip.file('[Content_Types].xml')!.asText()).toContain('/word/styles.xml');
    expect(zip.file('word/_rels/document.xml.rels')!.asText()).toContain('styles.xml');
    expect(zip.file('word/styles.xml')!.asText()).toContain('w:eastAsia="宋体"');
    expect(readTemplate(template).fields).toEqual(
      expect.arrayContaining([
        'contractNumber',
        'customerName',
        'customerCreditCode',
        'amount',
        'amountCapitals',
        'lines.description',
        'lines.amount',
        'terms.kind',
        'terms.amount',
        'terms.trigger',
        'signedOn',
      ]),
    );
    const text = documentText(renderTemplate(template, SAMPLE_DOCUMENT));
    expect(text).toContain(name);
    expect(text).toContain('SJ-2026-0001');
    expect(text).toContain('西安华达科技有限公司');
    expect(text).toContain('91610131MA6U2B3C4D');
    expect(text).toContain('秦信会计师事务所（特殊普通合伙）西安分所');
    expect(text).toContain('人民币120,000.00元（大写：人民币壹拾贰万元整）');
    expect(text).toContain('2025年度财务报表审计\n\t100,000.00');
    expect(text).toContain('高新技术企业专项审计报告\n\t20,000.00');
    expect(text).toMatch(/1\n\t首付款\n\t50%\n\t60,000.00\n\t合同签订时\n\t2026年3月5日/);
    expect(text).toMatch(/2\n\t尾款\n\t50%\n\t60,000.00\n\t业务完成（结项）后15日内\n\t结项后确定/);
    expect(text).not.toMatch(/[{}]/);
  });
});
