import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertedOpportunityName } from '../../../common/schemas/leads';
import { buildBusinessLine, signedIn } from '../../test/factories';
import { createTestApp, uniq, type TestApp } from '../../test/harness';

/** Issue 10 item 14: a converted lead's opportunity is named with the app's separator " · ", not " - ". */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

async function qualifiedLead(companyName: string, body: Record<string, unknown>) {
  const seller = await signedIn(t);
  const lead = await seller.client.post('/api/v1/leads', {
    companyName: uniq(companyName),
    ownerId: seller.user.id,
    ...body,
  });
  expect(lead.status, JSON.stringify(lead.body)).toBe(201);
  expect((await seller.client.post(`/api/v1/leads/${lead.body.id}/status`, { status: 'qualified' })).status).toBe(200);
  return { seller, lead: lead.body as { id: string; companyName: string } };
}

describe('the converted opportunity’s name', () => {
  it('defaults to "<company> · <business line>" when the converter gives none', async () => {
    const line = await buildBusinessLine(t.database.db, { name: uniq('审计') });
    const { seller, lead } = await qualifiedLead('西安华达建设工程有限公司', { businessLineId: line.id });
    const res = await seller.client.post(`/api/v1/leads/${lead.id}/convert`, { opportunity: {} });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const opportunity = (await seller.client.get(`/api/v1/opportunities/${res.body.opportunityId}`)).body;
    expect(opportunity.name).toBe(`${lead.companyName} · ${line.name}`);
    expect(opportunity.name).not.toContain(' - ');
  });

  it('takes the business line chosen at conversion, and keeps a name the converter typed', async () => {
    const line = await buildBusinessLine(t.database.db, { name: uniq('验资') });
    const first = await qualifiedLead('宝鸡渭河水务集团', {});
    const chosen = await first.seller.client.post(`/api/v1/leads/${first.lead.id}/convert`, {
      opportunity: { businessLineId: line.id },
    });
    expect(chosen.status, JSON.stringify(chosen.body)).toBe(200);
    expect((await first.seller.client.get(`/api/v1/opportunities/${chosen.body.opportunityId}`)).body.name).toBe(
      `${first.lead.companyName} · ${line.name}`,
    );
    const second = await qualifiedLead('铜川新材料科技', { businessLineId: line.id });
    const typed = await second.seller.client.post(`/api/v1/leads/${second.lead.id}/convert`, {
      opportunity: { name: '2026 年增资验资' },
    });
    expect((await second.seller.client.get(`/api/v1/opportunities/${typed.body.opportunityId}`)).body.name).toBe(
      '2026 年增资验资',
    );
  });

  it('is built by one function the conversion form uses too', () => {
    expect(convertedOpportunityName('西安华达建设工程有限公司', '审计')).toBe('西安华达建设工程有限公司 · 审计');
    expect(convertedOpportunityName('西安华达建设工程有限公司', null)).toBe('西安华达建设工程有限公司');
    expect(convertedOpportunityName('公'.repeat(200), '审计')).toHaveLength(200);
  });
});
