import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditCodeCheckChar } from '../../../common/credit-code';
import { signedIn } from '../../test/factories';
import { createTestApp, type Client, type TestApp } from '../../test/harness';
import { DUPLICATE_CHECKS_PER_MINUTE } from './duplicates.service';

/**
 * The duplicate check may name the owner of a customer the asker cannot see — that is its point —
 * but only on a full credit code or a (nearly) full name, a limited number of times a minute, and
 * every such answer is in the audit log.
 */

let t: TestApp;
let admin: Client;
beforeAll(async () => {
  t = await createTestApp();
  admin = (await signedIn(t, { roleCode: 'admin' })).client;
});
afterAll(() => t.close());

function creditCode(): string {
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  let body = '91610000';
  while (body.length < 17) body += alphabet[Math.floor(Math.random() * alphabet.length)];
  return body + creditCodeCheckChar(body);
}

/** A customer of a salesperson elsewhere: named 「<tag>秦川精工机械有限公司」 with a credit code. */
async function strangersCustomer() {
  const stranger = await signedIn(t);
  const tag = randomBytes(4).toString('hex');
  const res = await stranger.client.post('/api/v1/customers', {
    name: `${tag}秦川精工机械有限公司`,
    creditCode: creditCode(),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { tag, customer: res.body as { id: string; name: string; creditCode: string }, owner: stranger.user };
}

const disclosures = async (entityId: string) =>
  (await admin.get('/api/v1/audit-logs', { action: 'disclose', entityId })).body.items as {
    actorId: string;
    action: string;
    after: Record<string, unknown>;
  }[];

describe('the duplicate check on customers one cannot see', () => {
  it('names no foreign owner for a fragment of the name, and audits nothing', async () => {
    const { tag, customer } = await strangersCustomer();
    const { client: asker } = await signedIn(t);
    for (const name of ['精工', '秦川精工', '秦川精工机械', `${tag.slice(0, 4)}秦川`]) {
      const res = await asker.get('/api/v1/customers/duplicates', { name });
      expect(res.status).toBe(200);
      expect(
        res.body.map((c: { name: string }) => c.name),
        name,
      ).not.toContain(customer.name);
    }
    expect(await disclosures(customer.id)).toEqual([]);
  });

  it('names the owner for the full credit code or a nearly identical name, and writes who asked and what they learnt', async () => {
    const { tag, customer, owner } = await strangersCustomer();
    const { client: asker, user } = await signedIn(t);
    const byCode = await asker.get('/api/v1/customers/duplicates', { creditCode: customer.creditCode.toLowerCase() });
    expect(byCode.body).toEqual([
      { id: null, name: customer.name, ownerName: owner.displayName, reason: 'credit-code' },
    ]);
    const byName = await asker.get('/api/v1/customers/duplicates', { name: `${tag}秦川精工机械制造有限公司` });
    expect(byName.body).toContainEqual({
      id: null,
      name: customer.name,
      ownerName: owner.displayName,
      reason: 'similar-name',
    });

    const entries = await disclosures(customer.id);
    expect(entries).toHaveLength(2);
    expect(entries.every((e) => e.actorId === user.id)).toBe(true);
    expect(entries.map((e) => e.after).reverse()).toEqual([
      {
        name: customer.name,
        ownerName: owner.displayName,
        reason: 'credit-code',
        asked: { name: null, creditCode: customer.creditCode.toLowerCase() },
      },
      {
        name: customer.name,
        ownerName: owner.displayName,
        reason: 'similar-name',
        asked: { name: `${tag}秦川精工机械制造有限公司`, creditCode: null },
      },
    ]);
    // Their own customer is no disclosure.
    const mine = await signedIn(t);
    const own = await mine.client.post('/api/v1/customers', {
      name: `${tag}渭河纺织有限公司`,
      creditCode: creditCode(),
    });
    expect((await mine.client.get('/api/v1/customers/duplicates', { creditCode: own.body.creditCode })).body).toEqual([
      expect.objectContaining({ id: own.body.id }),
    ]);
    expect(await disclosures(own.body.id)).toEqual([]);
  });

  it('audits the candidates a lead conversion names, although the conversion is refused', async () => {
    const { customer, owner } = await strangersCustomer();
    const { client: seller, user } = await signedIn(t);
    const lead = await seller.post('/api/v1/leads', { companyName: customer.name, ownerId: user.id });
    await seller.post(`/api/v1/leads/${lead.body.id}/status`, { status: 'qualified' });
    const refused = await seller.post(`/api/v1/leads/${lead.body.id}/convert`, { opportunity: { name: '年报审计' } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('CUSTOMER_DUPLICATE_SUSPECTED');
    expect(refused.body.error.details.candidates).toContainEqual({
      id: null,
      name: customer.name,
      ownerName: owner.displayName,
      reason: 'same-name',
    });
    const entries = await disclosures(customer.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorId: user.id, after: { name: customer.name, reason: 'same-name' } });
  });

  it(`allows ${DUPLICATE_CHECKS_PER_MINUTE} checks a minute per user, then answers 429 with Retry-After`, async () => {
    const { client: asker } = await signedIn(t);
    for (let i = 0; i < DUPLICATE_CHECKS_PER_MINUTE; i++) {
      const res = await asker.get('/api/v1/customers/duplicates', { name: `试探${i}号有限公司` });
      expect(res.status, `check ${i + 1}`).toBe(200);
    }
    const limited = await asker.get('/api/v1/customers/duplicates', { name: '试探有限公司' });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('DUPLICATE_CHECK_RATE_LIMITED');
    const seconds = Number(limited.headers['retry-after']);
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(60);
    expect(limited.body.error.message).toBe(`查重过于频繁，请 ${seconds} 秒后再试`);
    expect(limited.body.error.details).toEqual({ retryAfterSeconds: seconds });
    expect((await asker.patch('/api/v1/auth/me', { locale: 'en-US' })).status).toBe(200);
    const english = await asker.get('/api/v1/customers/duplicates', { creditCode: creditCode() });
    expect(english.status).toBe(429);
    expect(english.body.error.message).toMatch(/^Too many duplicate checks; try again in \d+ seconds$/);
    // Another user is not held up.
    const other = await (await signedIn(t)).client.get('/api/v1/customers/duplicates', { name: '试探有限公司' });
    expect(other.status).toBe(200);
  });
});
