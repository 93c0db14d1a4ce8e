import { randomUUID } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn } from '../../test/factories';
import { createTestApp, uniq, type Client, type TestApp } from '../../test/harness';
import { auditLogs } from '../audit/audit.tables';
import { buildContract, buildOrder, cents, day, money, termsOf, today, type Built } from './fixtures';
import { invoiceAllocations, invoices, receiptAllocations, receipts } from './receivables.tables';

let t: TestApp;
let finance: Client;
/** A finance colleague who reads English. */
let english: Client;
beforeAll(async () => {
  t = await createTestApp();
  finance = (await signedIn(t, { roleCode: 'finance' })).client;
  english = (await signedIn(t, { roleCode: 'finance' })).client;
  expect((await english.patch('/api/v1/auth/me', { locale: 'en-US' })).status).toBe(200);
});
afterAll(() => t.close());

const db = () => t.database.db;

/** Every term's `received` equals what the valid receipts gave it (the invariant every write keeps). */
async function receivedMatchesReceipts(built: Built) {
  for (const term of await termsOf(db(), built)) {
    const given = await db()
      .select({ amount: receiptAllocations.amount })
      .from(receiptAllocations)
      .innerJoin(receipts, eq(receipts.id, receiptAllocations.receiptId))
      .where(and(eq(receiptAllocations.termId, term.id), eq(receipts.status, 'valid')));
    expect(money(given.reduce((n, g) => n + cents(g.amount), 0n))).toBe(term.received);
  }
}

const receipt = (built: Built, body: Record<string, unknown>) =>
  finance.post('/api/v1/receipts', {
    contractId: built.id,
    receivedOn: today(),
    payer: '西安华达科技有限公司',
    bankReference: uniq('BR'),
    ...body,
  });

async function receiptsOf(contractId: string) {
  return db().select().from(receipts).where(eq(receipts.contractId, contractId));
}

describe('recording a receipt 到款', () => {
  it('goes to the oldest due first — by due date, not position; terms without a date last, by position — and is exact', async () => {
    // Position 1 falls due after position 2; position 3 has no date yet (on completion), position 4 neither.
    const contract = await buildContract(db(), [
      { amount: '30000.00', due: -10 },
      { amount: '20000.10', due: -40 },
      { amount: '15000.00', due: null },
      { amount: '5000.00', due: null },
    ]);
    const paid = '42000.35';
    const res = await receipt(contract, { amount: paid });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    // Figures worked out here: position 2 (oldest due) takes all of it, position 1 the rest.
    const second = cents('20000.10');
    const firstTakes = cents(paid) - second;
    expect(res.body).toMatchObject({ amount: paid, unallocated: '0.00', status: 'valid', contractId: contract.id });
    expect(res.body.allocations).toEqual([
      expect.objectContaining({ termId: contract.terms[0].id, position: 1, amount: money(firstTakes) }),
      expect.objectContaining({ termId: contract.terms[1].id, position: 2, amount: '20000.10' }),
    ]);
    const stored = await termsOf(db(), contract);
    expect(stored.map((s) => s.received)).toEqual([money(firstTakes), '20000.10', '0.00', '0.00']);

    // The next one finishes position 1, then the terms without a date by position: 3 before 4.
    const next = await receipt(contract, { amount: '20000.00' });
    expect(next.status).toBe(201);
    const rest1 = cents('30000.00') - firstTakes;
    expect(next.body.allocations.map((a: { position: number; amount: string }) => [a.position, a.amount])).toEqual([
      [1, money(rest1)],
      [3, money(cents('20000.00') - rest1)],
    ]);
    await receivedMatchesReceipts(contract);
    const [audit] = await db()
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.entityType, 'receipt'), eq(auditLogs.entityId, res.body.id)));
    expect(audit).toMatchObject({ action: 'create' });
  });

  it('takes chosen terms and amounts; refuses more than a term waits for, a term of another contract, and a rest left over — writing nothing', async () => {
    const contract = await buildContract(db(), [
      { amount: '1000.00', due: -5 },
      { amount: '2000.00', due: 10 },
    ]);
    const other = await buildContract(db(), [{ amount: '500.00', due: -1 }]);
    const chosen = await receipt(contract, {
      amount: '1500.00',
      allocation: [
        { termId: contract.terms[1].id, amount: '1200.00' },
        { termId: contract.terms[0].id, amount: '300.00' },
      ],
    });
    expect(chosen.status, JSON.stringify(chosen.body)).toBe(201);
    expect((await termsOf(db(), contract)).map((s) => s.received)).toEqual(['300.00', '1200.00']);

    const tooMuch = await receipt(contract, {
      amount: '800.00',
      allocation: [{ termId: contract.terms[1].id, amount: '800.01' }],
    });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.error.code).toBe('RECEIPT_ALLOCATION_EXCEEDS');
    const foreign = await receipt(contract, {
      amount: '100.00',
      allocation: [{ termId: other.terms[0].id, amount: '100.00' }],
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.details.issues[0]).toMatchObject({
      path: 'body.allocation.0.termId',
      message: '该付款条件不属于所选合同或订单',
    });
    const short = await receipt(contract, {
      amount: '500.00',
      allocation: [{ termId: contract.terms[0].id, amount: '400.00' }],
    });
    expect(short.status).toBe(400);
    expect(short.body.error.details.issues[0].message).toBe(
      '已分配 ¥400.00，少于到款金额 ¥500.00；请分配完，或选择“超出部分挂账”',
    );
    const moreThanReceipt = await receipt(contract, {
      amount: '100.00',
      allocation: [{ termId: contract.terms[0].id, amount: '200.00' }],
    });
    expect(moreThanReceipt.body.error.code).toBe('RECEIPT_ALLOCATION_EXCEEDS');
    expect(await receiptsOf(contract.id)).toHaveLength(1);
    expect((await termsOf(db(), contract)).map((s) => s.received)).toEqual(['300.00', '1200.00']);
  });

  it('refuses more than is outstanding, with both figures in the message — unless the excess is held as credit, never lost', async () => {
    const contract = await buildContract(db(), [
      { amount: '6000.00', due: -30 },
      { amount: '4000.00', due: null },
    ]);
    const refused = await receipt(contract, { amount: '10000.01' });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({
      code: 'RECEIPT_EXCEEDS_OUTSTANDING',
      message: '到款金额 ¥10000.01 超过未收金额 ¥10000.00；如需作为预收款挂账，请选择“超出部分挂账”',
    });
    const inEnglish = await english.post('/api/v1/receipts', {
      contractId: contract.id,
      receivedOn: today(),
      payer: 'Huada',
      amount: '10000.01',
    });
    expect(inEnglish.body.error.message).toContain('The receipt of ¥10000.01 is more than the ¥10000.00 outstanding');
    expect(await receiptsOf(contract.id)).toHaveLength(0);

    const held = await receipt(contract, { amount: '12345.67', holdExcess: true });
    expect(held.status).toBe(201);
    expect(held.body).toMatchObject({ amount: '12345.67', unallocated: money(cents('12345.67') - cents('10000.00')) });
    expect((await termsOf(db(), contract)).map((s) => s.received)).toEqual(['6000.00', '4000.00']);

    // Nothing is outstanding: the credit has nowhere to go yet.
    const nowhere = await finance.post(`/api/v1/receipts/${held.body.id}/allocate`, {
      allocation: 'auto',
      unallocated: held.body.unallocated,
    });
    expect(nowhere.status).toBe(400);
    expect(nowhere.body.error.code).toBe('RECEIPT_ALLOCATION_EXCEEDS');
  });

  it('reverses a wrong receipt with a reason (never deleted): its terms get it back, and the held credit is allocated later', async () => {
    const contract = await buildContract(db(), [
      { amount: '3000.00', due: -60 },
      { amount: '7000.00', due: -3 },
    ]);
    const wrong = await receipt(contract, { amount: '3500.00' });
    const extra = await receipt(contract, { amount: '8000.00', holdExcess: true });
    expect(extra.body.unallocated).toBe('1500.00');
    expect((await termsOf(db(), contract)).map((s) => s.received)).toEqual(['3000.00', '7000.00']);

    const noReason = await finance.post(`/api/v1/receipts/${wrong.body.id}/reverse`, {});
    expect(noReason.status).toBe(400);
    const reversed = await finance.post(`/api/v1/receipts/${wrong.body.id}/reverse`, { reason: '银行退回，重复登记' });
    expect(reversed.status).toBe(200);
    expect(reversed.body).toMatchObject({ status: 'reversed', reversedReason: '银行退回，重复登记' });
    expect(reversed.body.reversedByName).toBeTruthy();
    // 3,500 went to position 1 (3,000) and 2 (500): both back.
    expect((await termsOf(db(), contract)).map((s) => s.received)).toEqual(['0.00', '6500.00']);
    expect(await receiptsOf(contract.id)).toHaveLength(2);
    const again = await finance.post(`/api/v1/receipts/${wrong.body.id}/reverse`, { reason: '再来一次' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'RECEIPT_REVERSED', message: '该到款已冲销' });

    // The credit (1,500) now goes to position 1, oldest due; the stale figure is refused first.
    const stale = await finance.post(`/api/v1/receipts/${extra.body.id}/allocate`, {
      allocation: 'auto',
      unallocated: '1400.00',
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'RECEIPT_CHANGED' });
    expect(stale.body.error.message).toContain('¥1500.00');
    const allocated = await finance.post(`/api/v1/receipts/${extra.body.id}/allocate`, {
      allocation: [{ termId: contract.terms[0].id, amount: '1000.00' }],
      unallocated: '1500.00',
    });
    expect(allocated.status, JSON.stringify(allocated.body)).toBe(200);
    expect(allocated.body.unallocated).toBe('500.00');
    const rest = await finance.post(`/api/v1/receipts/${extra.body.id}/allocate`, {
      allocation: 'auto',
      unallocated: '500.00',
    });
    expect(rest.body.unallocated).toBe('0.00');
    // The receipt's line on position 1 grew (one row per term), 7,000 and 1,000 + 500 on the terms.
    expect(rest.body.allocations.map((a: { position: number; amount: string }) => [a.position, a.amount])).toEqual([
      [1, '1500.00'],
      [2, '6500.00'],
    ]);
    expect((await termsOf(db(), contract)).map((s) => s.received)).toEqual(['1500.00', '6500.00']);
    await receivedMatchesReceipts(contract);

    const onReversed = await finance.post(`/api/v1/receipts/${wrong.body.id}/allocate`, {
      allocation: 'auto',
      unallocated: '0.00',
    });
    expect(onReversed.status).toBe(409);
  });

  it('is refused on a draft, voided or terminated contract and a cancelled order, naming the state; an order of a contract sends it to the contract', async () => {
    for (const [status, zh] of [
      ['voided', '已作废'],
      ['terminated', '已终止'],
      ['draft', '草稿'],
      ['in-approval', '审批中'],
    ] as const) {
      const closed = await buildContract(db(), [{ amount: '100.00', due: -1 }], { status });
      const res = await receipt(closed, { amount: '100.00' });
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({
        code: 'RECEIPT_CONTRACT_CLOSED',
        message: `该合同当前状态为“${zh}”，不能登记到款或开票`,
      });
      expect(await receiptsOf(closed.id)).toHaveLength(0);
    }
    const inEnglish = await english.post('/api/v1/receipts', {
      contractId: (await buildContract(db(), [{ amount: '1.00', due: 0 }], { status: 'voided' })).id,
      receivedOn: today(),
      payer: 'X',
      amount: '1.00',
    });
    expect(inEnglish.body.error.message).toBe('The contract is voided: no receipt or invoice can be recorded on it');

    const cancelled = await buildOrder(db(), [{ amount: '800.00', due: -2 }], { status: 'cancelled' });
    const onOrder = await finance.post('/api/v1/receipts', {
      orderId: cancelled.id,
      receivedOn: today(),
      payer: 'X',
      amount: '800.00',
    });
    expect(onOrder.body.error.message).toBe('该订单当前状态为“已取消”，不能登记到款或开票');

    const signed = await buildContract(db(), [{ amount: '100.00', due: -1 }], { number: 'SJ-2026-9901' + uniq('') });
    const orderOfContract = await buildOrder(db(), [], { contractId: signed.id });
    const redirected = await finance.post('/api/v1/receipts', {
      orderId: orderOfContract.id,
      receivedOn: today(),
      payer: 'X',
      amount: '100.00',
    });
    expect(redirected.status).toBe(400);
    expect(redirected.body.error.details.issues[0].message).toContain('该订单属于合同 SJ-2026-9901');

    const open = await buildOrder(db(), [
      { amount: '800.00', due: -2 },
      { amount: '200.00', due: null },
    ]);
    const onOpen = await finance.post('/api/v1/receipts', {
      orderId: open.id,
      receivedOn: today(),
      payer: 'X',
      amount: '900.00',
    });
    expect(onOpen.status).toBe(201);
    expect(onOpen.body).toMatchObject({ orderId: open.id, contractId: null });
    expect((await termsOf(db(), open)).map((s) => s.received)).toEqual(['800.00', '100.00']);
  });

  it('refuses bad input: no subject or both, zero, a future date, an unknown contract (404)', async () => {
    const contract = await buildContract(db(), [{ amount: '100.00', due: -1 }]);
    const both = await finance.post('/api/v1/receipts', {
      contractId: contract.id,
      orderId: randomUUID(),
      receivedOn: today(),
      payer: 'X',
      amount: '1.00',
    });
    expect(both.status).toBe(400);
    expect((await receipt(contract, { amount: '0.00' })).body.error.details.issues[0].message).toBe('金额须大于零');
    expect(
      (await receipt(contract, { amount: '1.00', receivedOn: day(1) })).body.error.details.issues[0],
    ).toMatchObject({
      path: 'body.receivedOn',
      message: '日期不能晚于今天',
    });
    expect((await receipt(contract, { amount: '1.5.0' })).status).toBe(400);
    expect((await receipt({ ...contract, id: randomUUID() }, { amount: '1.00' })).status).toBe(404);
    expect(await receiptsOf(contract.id)).toHaveLength(0);
  });
});

describe('who records and sees receipts', () => {
  it('a salesperson never records one (403) and sees only those of their own contracts; a manager their department’s', async () => {
    const seller = await signedIn(t);
    const colleague = await signedIn(t, { departmentId: seller.user.departmentId });
    const manager = await signedIn(t, { roleCode: 'manager', departmentId: seller.user.departmentId });
    const mine = await buildContract(db(), [{ amount: '900.00', due: -1 }], { ownerId: seller.user.id });
    const theirs = await buildContract(db(), [{ amount: '700.00', due: -1 }], { ownerId: colleague.user.id });
    const forbidden = await seller.client.post('/api/v1/receipts', {
      contractId: mine.id,
      receivedOn: today(),
      payer: 'X',
      amount: '1.00',
    });
    expect(forbidden.status).toBe(403);
    const onMine = await receipt(mine, { amount: '900.00' });
    const onTheirs = await receipt(theirs, { amount: '700.00' });
    expect((await seller.client.post(`/api/v1/receipts/${onMine.body.id}/reverse`, { reason: 'x' })).status).toBe(403);

    const seen = await seller.client.get('/api/v1/receipts', { customerId: mine.customerId });
    expect(seen.body.items.map((r: { id: string }) => r.id)).toEqual([onMine.body.id]);
    expect((await seller.client.get('/api/v1/receipts', { contractId: theirs.id })).body.items).toEqual([]);
    expect((await seller.client.get(`/api/v1/receipts/${onTheirs.body.id}`)).status).toBe(404);
    expect((await seller.client.get(`/api/v1/receipts/${onMine.body.id}`)).body.customerName).toBeTruthy();
    const managers = await manager.client.get('/api/v1/receipts', { from: today(), to: today(), pageSize: 100 });
    const ids = managers.body.items.map((r: { id: string }) => r.id);
    expect(ids).toEqual(expect.arrayContaining([onMine.body.id, onTheirs.body.id]));
    const elsewhere = await buildContract(db(), [{ amount: '1.00', due: -1 }]);
    const far = await receipt(elsewhere, { amount: '1.00' });
    expect((await manager.client.get(`/api/v1/receipts/${far.body.id}`)).status).toBe(404);
    // A finance colleague sees all of them.
    const other = (await signedIn(t, { roleCode: 'finance' })).client;
    expect((await other.get(`/api/v1/receipts/${far.body.id}`)).status).toBe(200);
  });

  it('lists by contract, customer, dates and status, newest first', async () => {
    const contract = await buildContract(db(), [{ amount: '5000.00', due: -100 }]);
    const older = await receipt(contract, { amount: '1000.00', receivedOn: day(-20) });
    const newer = await receipt(contract, { amount: '1000.00', receivedOn: day(-2) });
    await finance.post(`/api/v1/receipts/${older.body.id}/reverse`, { reason: '错误' });
    const all = await finance.get('/api/v1/receipts', { contractId: contract.id });
    expect(all.body.items.map((r: { id: string }) => r.id)).toEqual([newer.body.id, older.body.id]);
    expect(all.body.total).toBe(2);
    const ranged = await finance.get('/api/v1/receipts', { contractId: contract.id, from: day(-10), to: today() });
    expect(ranged.body.items.map((r: { id: string }) => r.id)).toEqual([newer.body.id]);
    const reversed = await finance.get('/api/v1/receipts', { customerId: contract.customerId, status: 'reversed' });
    expect(reversed.body.items.map((r: { id: string }) => r.id)).toEqual([older.body.id]);
    expect((await finance.get('/api/v1/receipts', { status: 'deleted' })).status).toBe(400);
  });
});

describe('invoices 发票', () => {
  it('go against the oldest terms not yet invoiced, never more than is left to invoice; a number is used once per kind; voiding gives it back', async () => {
    const contract = await buildContract(db(), [
      { amount: '10000.00', due: -15 },
      { amount: '10000.00', due: null },
    ]);
    const number = uniq('0441');
    const first = await finance.post('/api/v1/invoices', {
      contractId: contract.id,
      number,
      kind: 'special',
      amount: '12000.00',
      issuedOn: today(),
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.allocations.map((a: { position: number; amount: string }) => [a.position, a.amount])).toEqual([
      [1, '10000.00'],
      [2, '2000.00'],
    ]);
    expect((await termsOf(db(), contract)).map((s) => s.invoiced)).toEqual(['10000.00', '2000.00']);
    const sameNumber = await finance.post('/api/v1/invoices', {
      contractId: contract.id,
      number,
      kind: 'special',
      amount: '1.00',
      issuedOn: today(),
    });
    expect(sameNumber.status).toBe(409);
    expect(sameNumber.body.error.code).toBe('DUPLICATE_VALUE');
    const ordinary = await finance.post('/api/v1/invoices', {
      contractId: contract.id,
      number,
      kind: 'ordinary',
      amount: '1.00',
      issuedOn: today(),
    });
    expect(ordinary.status).toBe(201);
    const tooMuch = await finance.post('/api/v1/invoices', {
      contractId: contract.id,
      number: uniq('0442'),
      kind: 'ordinary',
      amount: money(cents('20000.00') - cents('12001.00') + 1n),
      issuedOn: today(),
    });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.error).toMatchObject({ code: 'INVOICE_EXCEEDS', message: '开票金额超过付款条件的未开票金额' });
    const chosenTooMuch = await finance.post('/api/v1/invoices', {
      contractId: contract.id,
      number: uniq('0443'),
      kind: 'ordinary',
      amount: '100.00',
      allocation: [{ termId: contract.terms[0].id, amount: '100.00' }],
      issuedOn: today(),
    });
    expect(chosenTooMuch.body.error.code).toBe('INVOICE_EXCEEDS');
    const uneven = await finance.post('/api/v1/invoices', {
      contractId: contract.id,
      number: uniq('0444'),
      kind: 'ordinary',
      amount: '100.00',
      allocation: [{ termId: contract.terms[1].id, amount: '99.00' }],
      issuedOn: today(),
    });
    expect(uneven.body.error.details.issues[0].message).toBe('已分配 ¥99.00，与发票金额 ¥100.00 不一致');

    const voided = await finance.post(`/api/v1/invoices/${first.body.id}/void`, { reason: '抬头错误' });
    expect(voided.status).toBe(200);
    expect(voided.body).toMatchObject({ status: 'voided', voidedReason: '抬头错误' });
    expect((await termsOf(db(), contract)).map((s) => s.invoiced)).toEqual(['0.00', '1.00']);
    const twice = await finance.post(`/api/v1/invoices/${first.body.id}/void`, { reason: '再次' });
    expect(twice.body.error).toMatchObject({ code: 'INVOICE_VOIDED', message: '该发票已作废' });
    const stored = await db().select().from(invoices).where(eq(invoices.contractId, contract.id));
    expect(stored).toHaveLength(2);
    const lines = await db()
      .select()
      .from(invoiceAllocations)
      .where(
        inArray(
          invoiceAllocations.invoiceId,
          stored.map((s) => s.id),
        ),
      );
    expect(lines).toHaveLength(3);

    const list = await finance.get('/api/v1/invoices', { contractId: contract.id });
    expect(list.body.items.map((i: { number: string; kind: string; status: string }) => [i.kind, i.status])).toEqual(
      expect.arrayContaining([
        ['special', 'voided'],
        ['ordinary', 'valid'],
      ]),
    );
    expect((await finance.get('/api/v1/invoices', { contractId: contract.id, status: 'valid' })).body.total).toBe(1);
  });

  it('are recorded by finance only and not on a voided contract', async () => {
    const seller = await signedIn(t);
    const mine = await buildContract(db(), [{ amount: '100.00', due: 0 }], { ownerId: seller.user.id });
    const body = { contractId: mine.id, number: uniq('N'), kind: 'ordinary', amount: '100.00', issuedOn: today() };
    expect((await seller.client.post('/api/v1/invoices', body)).status).toBe(403);
    const closed = await buildContract(db(), [{ amount: '100.00', due: 0 }], { status: 'voided' });
    const refused = await finance.post('/api/v1/invoices', { ...body, contractId: closed.id });
    expect(refused.body.error.code).toBe('RECEIPT_CONTRACT_CLOSED');
    const made = await finance.post('/api/v1/invoices', body);
    expect(made.status).toBe(201);
    expect((await seller.client.get(`/api/v1/invoices/${made.body.id}`)).body.number).toBe(body.number);
    expect((await seller.client.post(`/api/v1/invoices/${made.body.id}/void`, { reason: 'x' })).status).toBe(403);
  });
});
