import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, inject, test } from 'vitest';
import type { BusinessLine } from '../common/schemas/staff';
import { docxPackage, documentText, paragraph } from '../server/domains/contracts/ooxml';
import { auditEngagementLetter } from '../server/seed/demo-contracts';
import { apiSession } from './support/api';
import { peopleInOneBrowser } from './support/people';
import { clickSettled, settle } from './support/ui';

/**
 * 合同模板, on a business line of its own (the demo's published templates, which other files render contracts
 * from, are left alone): the administrator uploads a template with placeholders outside the field list and
 * is told which; uploads the real one; publishes it with a confirmation; downloads the preview filled with
 * the sample contract and reads the amount in capitals back out of the .docx.
 */
const people = peopleInOneBrowser();

test('an administrator uploads, is refused, fixes, publishes and previews a contract template', async () => {
  const admin = await apiSession(inject('baseURL'), 'admin');
  const line = await admin.post<BusinessLine>('/api/v1/business-lines', { name: '模板测试业务', code: 'E2ETPL' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gongdan-templates-'));
  const bad = path.join(dir, '约定书（有误）.docx');
  writeFileSync(
    bad,
    docxPackage({
      title: '约定书',
      body: [paragraph('甲方：{customerName}，手机：{contactMobile}'), paragraph('{#services}{fee}{/services}')],
    }),
  );
  const good = path.join(dir, '测试约定书.docx');
  writeFileSync(good, auditEngagementLetter());

  const { page } = await people.signIn('admin');
  await page.goto('/settings/contract-templates');
  await page.getByTestId(`template-new-${line.code}`).click();
  const form = page.getByTestId('template-upload-form');
  await form.waitFor();
  await page.getByTestId('template-name').fill('测试约定书');
  await form.locator('input[type=file]').setInputFiles(bad);
  await page.getByTestId('template-upload-submit').click();
  await page.getByTestId('template-refusal').waitFor();
  expect(await page.getByTestId('template-unknown-fields').innerText()).toBe('{contactMobile}\n{#services}\n{fee}');
  // Nothing was stored: the line still has no template.
  expect(await admin.get(`/api/v1/contract-templates?businessLineId=${line.id}`)).toEqual([]);

  await form.locator('input[type=file]').setInputFiles(good);
  await page.getByTestId('template-upload-submit').click();
  const versions = page.getByTestId('template-versions');
  await versions.waitFor();
  // Clicked once the versions dialog has finished opening (a click during its animation can get lost).
  await clickSettled(page, versions.getByTestId('template-publish'));
  await clickSettled(page, page.getByTestId('template-publish-confirm'));
  // By test id: the administrator's language is whatever another file left it (staff-admin switches it).
  await versions.getByTestId('template-current').waitFor();

  const download = page.waitForEvent('download');
  await versions.getByTestId('template-preview').click();
  const file = await (await download).path();
  const text = documentText(readFileSync(file));
  expect(text).toContain('审计业务约定书');
  expect(text).toContain('西安华达科技有限公司');
  expect(text).toContain('人民币120,000.00元（大写：人民币壹拾贰万元整）');
  await page.keyboard.press('Escape');
  await settle(page);
  const card = page.getByTestId(`template-line-${line.code}`);
  expect(await card.innerText()).toContain('测试约定书');
  expect(await card.getByTestId('template-published').getAttribute('data-version')).toBe('1');
  expect(people.pageErrors()).toEqual([]);
});
