import { readFile } from 'node:fs/promises';
import PizZip from 'pizzip';
import { expect, inject, test } from 'vitest';
import { apiSession, wonAuditOpportunity } from './support/api';
import { peopleInOneBrowser } from './support/people';
import { clickSettled, settle } from './support/ui';

/**
 * Issue 13's journey on the demo firm: sales1 wins an opportunity, makes the contract from it and sends it for
 * approval; `manager` approves it from his inbox; sales1 signs it with two terms (50 % on signing, 50 % on
 * completion) and gets the audit line's next number SJ-<year>-000N; the Word document read back holds the
 * customer, the number and the amount in capitals; `finance` records the down payment; the receivables show the
 * rest as not yet due; marking the order completed makes the final payment due and reminds sales1.
 */
const people = peopleInOneBrowser();
const base = () => inject('baseURL');
const CUSTOMER = '合同旅程测试（西安）有限公司';
const TITLE = '合同旅程·2026 年度财务报表审计';

let contractId: string;
let contractNumber: string;

/** The text of a .docx: every run of its main document, in order (tags stripped). */
function docxText(content: Buffer): string {
  const xml = new PizZip(content).file('word/document.xml')!.asText();
  return xml.replace(/<w:p[ >][\s\S]*?<\/w:p>/g, (p) => `${p.replace(/<[^>]+>/g, '')}\n`).replace(/<[^>]+>/g, '');
}

test('sales1 makes the contract of a won opportunity and sends it; manager approves it from his inbox', async () => {
  const sales1 = await apiSession(base(), 'sales1');
  const opportunity = await wonAuditOpportunity(sales1, { customer: CUSTOMER, title: TITLE, amount: '80000' });

  const seller = await people.signIn('sales1');
  await seller.page.goto(`/opportunities/${opportunity.id}`);
  await clickSettled(seller.page, seller.page.getByTestId('opp-create-contract'));
  await seller.page.waitForURL(/\/contracts\/[0-9a-f-]{36}$/);
  contractId = seller.page.url().split('/').pop()!;
  await seller.page.getByTestId('contract-status').filter({ hasText: '草稿' }).waitFor();
  await seller.page.getByTestId('contract-amount-capitals').filter({ hasText: '捌万元整' }).waitFor();
  await settle(seller.page);
  await clickSettled(seller.page, seller.page.getByTestId('contract-submit'));
  await clickSettled(seller.page, seller.page.getByTestId('contract-submit-confirm'));
  await seller.page.getByTestId('contract-status').filter({ hasText: '审批中' }).waitFor();

  const manager = await people.signIn('manager');
  await manager.page.goto('/approvals');
  const row = manager.page.getByTestId('approvals-table').locator('tr', { hasText: TITLE });
  await row.getByTestId('approval-open').click();
  const drawer = manager.page.getByTestId('approval-detail');
  await drawer.getByTestId('approval-comment-input').fill('条款已核对，同意签订');
  await clickSettled(manager.page, drawer.getByTestId('approval-approve'));
  await drawer.getByTestId('approval-status').filter({ hasText: '已通过' }).waitFor();
});

test('sales1 signs it with 50 % on signing and 50 % on completion: the next SJ number, and the document says so', async () => {
  const seller = await people.signIn('sales1');
  await seller.page.goto(`/contracts/${contractId}`);
  await seller.page.getByTestId('contract-status').filter({ hasText: '已审批' }).waitFor();
  await settle(seller.page);
  await clickSettled(seller.page, seller.page.getByTestId('contract-sign'));
  const dialog = seller.page.getByTestId('sign-dialog');
  const terms = dialog.getByTestId('term-row');
  await expect.poll(() => terms.count()).toBe(2);
  for (const i of [0, 1]) await terms.nth(i).getByTestId('term-percent').fill('50');
  await dialog.locator('[data-testid="terms-total"][data-state="exact"]').waitFor();
  await clickSettled(seller.page, dialog.getByTestId('sign-submit'));
  const number = seller.page.getByTestId('contract-number').first();
  await number.filter({ hasText: /^SJ-\d{4}-\d{4}$/ }).waitFor();
  contractNumber = (await number.textContent())!.trim();
  expect(contractNumber).toMatch(new RegExp(`^SJ-${new Date().getFullYear()}-\\d{4}$`));

  const [download] = await Promise.all([
    seller.page.waitForEvent('download'),
    seller.page.getByTestId('contract-document-download').click(),
  ]);
  const text = docxText(await readFile((await download.path())!));
  expect(text).toContain(CUSTOMER);
  expect(text).toContain(contractNumber);
  // ¥80,000.00 in capitals, written out here by hand.
  expect(text).toContain('人民币捌万元整');
});

test('finance records the down payment; the rest is not yet due; completing the order makes it due and reminds sales1', async () => {
  const finance = await apiSession(base(), 'finance');
  const receipt = await finance.post<{ unallocated: string }>('/api/v1/receipts', {
    contractId,
    receivedOn: new Date().toISOString().slice(0, 10),
    amount: '40000',
    payer: CUSTOMER,
    bankReference: 'JOURNEY-0001',
  });
  expect(receipt.unallocated).toBe('0.00');

  const accountant = await people.signIn('finance');
  await accountant.page.goto('/finance/receivables');
  // By customer: the 40,000.00 left is outstanding and not yet due (the final payment waits for completion).
  const ageing = accountant.page.getByTestId('ageing-table');
  const row = ageing.locator('tr', { hasText: CUSTOMER });
  await row.getByTestId('ageing-cell-outstanding').filter({ hasText: '40,000.00' }).waitFor();
  expect(await row.getByTestId('ageing-cell-not-due').textContent()).toBe('¥40,000.00');
  // Nothing of it is overdue: no overdue bucket of the row holds an amount.
  for (const bucket of ['d1-30', 'd31-90', 'd91-180', 'over-180'])
    expect(await row.getByTestId(`ageing-cell-${bucket}`).count()).toBe(0);

  const seller = await people.signIn('sales1');
  await seller.page.goto(`/contracts/${contractId}`);
  const termsTable = seller.page.getByTestId('terms-table');
  // The final payment has no due date until the work is completed.
  await termsTable.getByTestId('term-due').nth(1).filter({ hasText: '结项后确定' }).waitFor();
  await settle(seller.page);
  await clickSettled(seller.page, seller.page.getByTestId('contract-create-order'));
  await seller.page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
  await clickSettled(seller.page, seller.page.getByTestId('order-confirm'));
  await clickSettled(seller.page, seller.page.getByTestId('order-confirm-ok'));
  await seller.page.getByTestId('order-status').filter({ hasText: '已确认' }).waitFor();
  await settle(seller.page);
  await clickSettled(seller.page, seller.page.getByTestId('order-complete'));
  await clickSettled(seller.page, seller.page.getByTestId('order-complete-submit'));
  await seller.page.getByTestId('order-status').filter({ hasText: '已完成' }).waitFor();

  const sales1 = await apiSession(base(), 'sales1');
  const contract = await sales1.get<{ status: string; terms: { dueOn: string | null; outstanding: string }[] }>(
    `/api/v1/contracts/${contractId}`,
  );
  expect(contract.status).toBe('completed');
  expect(contract.terms.map((t) => [t.dueOn !== null, t.outstanding])).toEqual([
    [true, '0.00'],
    [true, '40000.00'],
  ]);
  await expect
    .poll(
      async () =>
        (await sales1.get<{ items: { kind: string; entityId: string | null }[] }>('/api/v1/notifications')).items.some(
          (n) => n.kind === 'payment-due',
        ),
      { timeout: 15_000 },
    )
    .toBe(true);
  expect(people.pageErrors()).toEqual([]);
});
