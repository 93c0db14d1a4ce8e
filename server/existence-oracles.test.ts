import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commissionLines, commissionPolicies, commissionSheets } from './domains/commissions/commissions.tables';
import { crossSellSuggestions } from './domains/cross-sell/cross-sell.tables';
import { buildTemplate } from './domains/engagements/fixtures';
import { buildBusinessLine, signedIn } from './test/factories';
import { createTestApp, uniq, type Client, type Response, type TestApp } from './test/harness';

/**
 * A record the caller cannot see must be indistinguishable from one that does not exist: every
 * action on a customer, contact, contact-log entry, recurring service, lead, opportunity (and its
 * quotes, milestones, tasks, acceptance), activity, contract, order, engagement or work order (its notes and working
 * papers), people record (its qualifications and CPE entries), report pin, scheduled report, knowledge-base article or chat
 * conversation (its members, messages and files) answers an invisible existing id exactly as it answers a random one —
 * status, code, message and details.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

type Kind =
  | 'customer'
  | 'contact'
  | 'contactLog'
  | 'service'
  | 'lead'
  | 'opportunity'
  | 'activity'
  | 'file'
  | 'quote'
  | 'milestone'
  | 'task'
  | 'contract'
  | 'order'
  | 'engagement'
  | 'engagementTask'
  | 'person'
  | 'qualification'
  | 'cpeEntry'
  | 'commissionSheet'
  | 'commissionLine'
  | 'reportPin'
  | 'reportSubscription'
  | 'article'
  | 'conversation'
  | 'message'
  | 'crossSell';
type Ids = Record<Kind, string>;
type Caller = { name: string; client: Client; id: string };
type Setup = {
  caller: Caller;
  stageId: string;
  lineId: string;
  mine: { customerId: string; leadId: string; articleId: string; conversationId: string };
};

/** The record a path's first parameter names, by its collection. */
const RECORD_OF: Record<string, Kind> = {
  customers: 'customer',
  contacts: 'contact',
  'contact-logs': 'contactLog',
  'customer-services': 'service',
  leads: 'lead',
  opportunities: 'opportunity',
  activities: 'activity',
  contracts: 'contract',
  orders: 'order',
  engagements: 'engagement',
  'engagement-tasks': 'engagementTask',
  people: 'person',
  qualifications: 'qualification',
  'cpe-entries': 'cpeEntry',
  'commission-sheets': 'commissionSheet',
  'report-pins': 'reportPin',
  'report-subscriptions': 'reportSubscription',
  knowledge: 'article',
  conversations: 'conversation',
  'cross-sell': 'crossSell',
};
const CHILD_OF: Record<string, Kind> = {
  fileId: 'file',
  quoteId: 'quote',
  milestoneId: 'milestone',
  taskId: 'task',
  lineId: 'commissionLine',
  targetId: 'customer',
  messageId: 'message',
};

/**
 * Every documented action on one record, with a body valid enough to get past validation (so the
 * answer is about the record, not the input). null: no body; 'file': one attachment.
 */
const ACTIONS: Record<string, ((s: Setup) => unknown) | null | 'file'> = {
  'DELETE /api/v1/report-pins/{id}': null,
  'POST /api/v1/cross-sell/{id}/accept': () => ({}),
  'POST /api/v1/cross-sell/{id}/dismiss': () => ({ reason: 'later' }),
  'PATCH /api/v1/report-subscriptions/{id}': () => ({ active: false }),
  'DELETE /api/v1/report-subscriptions/{id}': null,
  'GET /api/v1/customers/{id}': null,
  'PATCH /api/v1/customers/{id}': () => ({ industry: '建筑业' }),
  'GET /api/v1/customers/{id}/overview': null,
  'POST /api/v1/customers/{id}/claim': () => ({}),
  'POST /api/v1/customers/{id}/next-contact': () => ({ on: '2030-01-02' }),
  'POST /api/v1/customers/{id}/release': () => ({ reason: '暂无需求' }),
  'POST /api/v1/customers/{id}/assign': (s) => ({ ownerId: s.caller.id }),
  'POST /api/v1/customers/{id}/share': (s) => ({ userIds: [s.caller.id] }),
  'POST /api/v1/customers/{id}/merge': (s) => ({ duplicateId: s.mine.customerId }),
  'GET /api/v1/customers/{id}/owner-history': null,
  'POST /api/v1/customers/{id}/evaluations': () => ({ answers: {} }),
  'GET /api/v1/customers/{id}/evaluations': null,
  'GET /api/v1/customers/{id}/knowledge': null,
  'GET /api/v1/customers/{id}/timeline': null,
  'GET /api/v1/customers/{id}/figures': null,
  'PUT /api/v1/customers/{id}/legal-hold': () => ({ held: true, reason: '诉讼保全' }),
  'GET /api/v1/contacts/{id}': null,
  'PATCH /api/v1/contacts/{id}': () => ({ title: '财务总监' }),
  'DELETE /api/v1/contacts/{id}': null,
  'GET /api/v1/contacts/{id}/personal-data': null,
  'POST /api/v1/contacts/{id}/erase': () => ({ confirmName: '赵总' }),
  'GET /api/v1/contact-logs/{id}': null,
  'DELETE /api/v1/contact-logs/{id}': null,
  'POST /api/v1/contact-logs/{id}/attachments': 'file',
  'GET /api/v1/contact-logs/{id}/attachments/{fileId}': null,
  'POST /api/v1/contact-logs/{id}/insight': () => ({}),
  'DELETE /api/v1/contact-logs/{id}/attachments/{fileId}': null,
  'GET /api/v1/customer-services/{id}': null,
  'PATCH /api/v1/customer-services/{id}': () => ({ notes: '改为季度' }),
  'POST /api/v1/customer-services/{id}/complete': () => ({}),
  'DELETE /api/v1/customer-services/{id}': null,
  'GET /api/v1/leads/{id}': null,
  'PATCH /api/v1/leads/{id}': () => ({ contactName: '王经理' }),
  'POST /api/v1/leads/{id}/status': () => ({ status: 'contacting' }),
  'POST /api/v1/leads/{id}/assign': (s) => ({ ownerId: s.caller.id }),
  'POST /api/v1/leads/{id}/convert': () => ({ opportunity: { name: '年报审计' } }),
  'GET /api/v1/leads/{id}/history': null,
  'GET /api/v1/leads/{id}/guide': null,
  'POST /api/v1/leads/{id}/guide/checklist': () => ({ itemId: 'scope', done: true }),
  'GET /api/v1/opportunities/{id}': null,
  'PATCH /api/v1/opportunities/{id}': () => ({ nextStep: '约见财务总监' }),
  'POST /api/v1/opportunities/{id}/move': (s) => ({ stageId: s.stageId }),
  'POST /api/v1/opportunities/{id}/reopen': () => ({}),
  'PUT /api/v1/opportunities/{id}/members': (s) => ({ members: [{ userId: s.caller.id, role: '项目经理' }] }),
  'GET /api/v1/opportunities/{id}/stage-history': null,
  'GET /api/v1/opportunities/{id}/lesson': null,
  'POST /api/v1/opportunities/{id}/lesson': () => ({ worked: '提前摸清客户需求', price: '36000' }),
  'POST /api/v1/opportunities/{id}/lesson/skip': null,
  'GET /api/v1/opportunities/{id}/stage-times': null,
  'GET /api/v1/opportunities/{id}/guide': null,
  'POST /api/v1/opportunities/{id}/guide/checklist': () => ({ itemId: 'scope', done: true }),
  'GET /api/v1/opportunities/{id}/quotes': null,
  'POST /api/v1/opportunities/{id}/quotes': () => ({ items: [{ description: '年报审计', unitPrice: '100' }] }),
  'PATCH /api/v1/opportunities/{id}/quotes/{quoteId}': () => ({ status: 'sent' }),
  'POST /api/v1/opportunities/{id}/quotes/{quoteId}/submit': () => ({}),
  'GET /api/v1/opportunities/{id}/project': null,
  'POST /api/v1/opportunities/{id}/milestones': () => ({ name: '外勤' }),
  'PATCH /api/v1/opportunities/{id}/milestones/{milestoneId}': () => ({ name: '外勤（二）' }),
  'DELETE /api/v1/opportunities/{id}/milestones/{milestoneId}': null,
  'POST /api/v1/opportunities/{id}/tasks': () => ({ title: '存货监盘' }),
  'PATCH /api/v1/opportunities/{id}/tasks/{taskId}': () => ({ status: 'done' }),
  'DELETE /api/v1/opportunities/{id}/tasks/{taskId}': null,
  'GET /api/v1/opportunities/{id}/acceptance': null,
  'PUT /api/v1/opportunities/{id}/acceptance': () => ({ answers: {} }),
  'GET /api/v1/opportunities/{id}/independence': null,
  'GET /api/v1/opportunities/{id}/knowledge': null,
  'POST /api/v1/opportunities/{id}/independence-override': () => ({ reason: '记账业务由分所独立团队承接' }),
  'GET /api/v1/activities/{id}': null,
  'PATCH /api/v1/activities/{id}': () => ({ subject: '电话回访' }),
  'POST /api/v1/activities/{id}/complete': () => ({}),
  'DELETE /api/v1/activities/{id}': null,
  'GET /api/v1/contracts/{id}': null,
  'PATCH /api/v1/contracts/{id}': () => ({ title: '审计业务约定书' }),
  'PATCH /api/v1/contracts/{id}/recurring': () => ({ recurringCycle: 'annual' }),
  'POST /api/v1/contracts/{id}/submit': () => ({}),
  'POST /api/v1/contracts/{id}/sign': () => ({}),
  'POST /api/v1/contracts/{id}/terminate': () => ({ reason: '客户要求' }),
  'POST /api/v1/contracts/{id}/void': () => ({ reason: '录入错误' }),
  'POST /api/v1/contracts/{id}/signed-copy': 'file',
  'GET /api/v1/contracts/{id}/signed-copy': null,
  'GET /api/v1/contracts/{id}/document': null,
  'GET /api/v1/orders/{id}': null,
  'PATCH /api/v1/orders/{id}/recurring': () => ({ recurringCycle: 'monthly' }),
  'POST /api/v1/orders/{id}/confirm': () => ({}),
  'POST /api/v1/orders/{id}/complete': () => ({}),
  'POST /api/v1/orders/{id}/cancel': () => ({ reason: '客户取消' }),
  'GET /api/v1/people/{id}': null,
  'PUT /api/v1/people/{id}/profile': () => ({ titleLevel: 'senior' }),
  'POST /api/v1/people/{id}/qualifications': () => ({ kind: 'cpa', certificateNo: '110000010001' }),
  'POST /api/v1/people/{id}/cpe-entries': () => ({
    takenOn: '2025-03-04',
    course: '审计准则',
    hours: '2',
    kind: 'online',
  }),
  'PUT /api/v1/qualifications/{id}': () => ({ kind: 'cpa', certificateNo: '110000010001' }),
  'DELETE /api/v1/qualifications/{id}': null,
  'DELETE /api/v1/cpe-entries/{id}': null,
  'GET /api/v1/engagements/{id}': null,
  'PATCH /api/v1/engagements/{id}': () => ({ title: '年报审计' }),
  'POST /api/v1/engagements/{id}/cancel': () => ({ reason: '客户取消' }),
  'PUT /api/v1/engagements/{id}/members': (s) => ({ members: [{ userId: s.caller.id, roles: ['manager'] }] }),
  'POST /api/v1/engagements/{id}/review': () => ({}),
  'POST /api/v1/engagements/{id}/report': (s) => ({ signers: [s.caller.id, randomUUID()] }),
  'POST /api/v1/engagements/{id}/archive': () => ({}),
  'GET /api/v1/engagements/{id}/staffing': null,
  'GET /api/v1/engagements/{id}/budget': null,
  'POST /api/v1/engagements/{id}/insight': () => ({ title: '客户重视出报告时间' }),
  'POST /api/v1/engagements/{id}/tasks': (s) => ({ phaseId: s.lineId, title: '存货监盘' }),
  'PATCH /api/v1/engagement-tasks/{id}': () => ({ title: '存货监盘' }),
  'POST /api/v1/engagement-tasks/{id}/status': () => ({ status: 'done' }),
  'GET /api/v1/engagement-tasks/{id}/notes': null,
  'POST /api/v1/engagement-tasks/{id}/notes': () => ({ body: '已完成' }),
  'POST /api/v1/engagement-tasks/{id}/files': 'file',
  'GET /api/v1/engagement-tasks/{id}/files/{fileId}': null,
  'GET /api/v1/commission-sheets/{id}': null,
  'POST /api/v1/commission-sheets/{id}/cancel': () => ({}),
  'POST /api/v1/commission-sheets/{id}/submit': () => ({}),
  'PUT /api/v1/commission-sheets/{id}/lines/{lineId}': () => ({ amount: '1.00', reason: '调整' }),
  'PUT /api/v1/commission-sheets/{id}/shares': () => ({ shares: {} }),
  'GET /api/v1/commission-sheets/{id}/payout.xlsx': null,
  'GET /api/v1/knowledge/{id}': null,
  'PATCH /api/v1/knowledge/{id}': () => ({ title: '年报审计承接要点' }),
  'GET /api/v1/knowledge/{id}/versions': null,
  'GET /api/v1/knowledge/{id}/versions/{version}': null,
  'POST /api/v1/knowledge/{id}/archive': () => ({}),
  'POST /api/v1/knowledge/{id}/unarchive': () => ({}),
  'PUT /api/v1/knowledge/{id}/stewardship': () => ({ reviewOn: '2030-01-02' }),
  'POST /api/v1/knowledge/{id}/links': (s) => ({ type: 'customer', id: s.mine.customerId }),
  'DELETE /api/v1/knowledge/{id}/links/{targetId}': null,
  'PUT /api/v1/knowledge/{id}/useful': () => ({ useful: true }),
  'POST /api/v1/knowledge/{id}/files': 'file',
  'GET /api/v1/knowledge/{id}/files/{fileId}': null,
  'DELETE /api/v1/knowledge/{id}/files/{fileId}': null,
  'POST /api/v1/knowledge/{id}/use': () => ({}),
  'GET /api/v1/conversations/{id}': null,
  'PATCH /api/v1/conversations/{id}': () => ({ title: '改名' }),
  'GET /api/v1/conversations/{id}/members': null,
  'POST /api/v1/conversations/{id}/members': (s) => ({ add: [s.caller.id] }),
  'POST /api/v1/conversations/{id}/join': null,
  'POST /api/v1/conversations/{id}/leave': null,
  'GET /api/v1/conversations/{id}/messages': null,
  'POST /api/v1/conversations/{id}/messages': () => ({ body: '你好' }),
  'PUT /api/v1/conversations/{id}/read': () => ({ seq: 1 }),
  'POST /api/v1/conversations/{id}/files': 'file',
  'GET /api/v1/conversations/{id}/files/{fileId}': null,
  'PATCH /api/v1/conversations/{id}/messages/{messageId}': () => ({ body: '改一下' }),
  'DELETE /api/v1/conversations/{id}/messages/{messageId}': null,
  'GET /api/v1/conversations/{id}/messages/{messageId}/history': null,
  'GET /api/v1/conversations/{id}/announcements': null,
  'POST /api/v1/conversations/{id}/messages/{messageId}/pin': null,
  'DELETE /api/v1/conversations/{id}/messages/{messageId}/pin': null,
  'PUT /api/v1/conversations/{id}/messages/{messageId}/receipt': null,
  'GET /api/v1/conversations/{id}/messages/{messageId}/receipts': null,
  'POST /api/v1/conversations/{id}/messages/{messageId}/save-as-article': () => ({ title: '问答' }),
  'GET /api/v1/conversations/{id}/export': null,
  'POST /api/v1/conversations/{id}/messages/{messageId}/reactions': () => ({ emoji: '👍' }),
  'DELETE /api/v1/conversations/{id}/messages/{messageId}/reactions': () => ({ emoji: '👍' }),
};

/** The Monday of last week (time may be logged on it). */
const LAST_MONDAY = (() => {
  const now = new Date();
  now.setUTCDate(now.getUTCDate() - 7 - ((now.getUTCDay() + 6) % 7));
  return now.toISOString().slice(0, 10);
})();

/** The query string an action needs to get past validation. */
const QUERIES: Record<string, string> = { 'GET /api/v1/engagements/{id}/staffing': '?role=assistant' };

/** Records named in a body or a filter rather than in the path. */
const REFERENCES: {
  name: string;
  method: 'GET' | 'POST' | 'PUT';
  url: (s: Setup, x: Ids) => string;
  body?: (s: Setup, x: Ids) => unknown;
}[] = [
  {
    name: 'the insights marked on the customer’s entries',
    method: 'GET',
    url: (_, x) => `/api/v1/knowledge/insight-marks?customerId=${x.customer}`,
  },
  {
    name: 'the insights marked on the engagement',
    method: 'GET',
    url: (_, x) => `/api/v1/knowledge/insight-marks?engagementId=${x.engagement}`,
  },
  {
    name: 'an article linked to the customer',
    method: 'POST',
    url: () => '/api/v1/knowledge',
    body: (_, x) => ({ kind: 'case', title: '案例', links: [{ type: 'customer', id: x.customer }] }),
  },
  {
    name: 'a link from my article to the opportunity',
    method: 'POST',
    url: (s) => `/api/v1/knowledge/${s.mine.articleId}/links`,
    body: (_, x) => ({ type: 'opportunity', id: x.opportunity }),
  },
  {
    name: 'a link from my article to the engagement',
    method: 'POST',
    url: (s) => `/api/v1/knowledge/${s.mine.articleId}/links`,
    body: (_, x) => ({ type: 'engagement', id: x.engagement }),
  },
  {
    name: 'a link from my article to the article',
    method: 'POST',
    url: (s) => `/api/v1/knowledge/${s.mine.articleId}/links`,
    body: (_, x) => ({ type: 'article', id: x.article }),
  },
  ...(['customer', 'opportunity', 'contract', 'engagement', 'article'] as const).map((type) => ({
    name: `a message on my conversation linking the ${type}`,
    method: 'POST' as const,
    url: (s: Setup) => `/api/v1/conversations/${s.mine.conversationId}/messages`,
    body: (_: Setup, x: Ids) => ({ body: '请看', links: [{ type, id: x[type] }] }),
  })),
  {
    name: 'a contact for the customer',
    method: 'POST',
    url: () => '/api/v1/contacts',
    body: (_, x) => ({ customerId: x.customer, name: '李会计' }),
  },
  {
    name: 'a contact-log entry for the customer',
    method: 'POST',
    url: () => '/api/v1/contact-logs',
    body: (_, x) => ({ customerId: x.customer, direction: 'outbound', channel: 'phone', summary: '电话' }),
  },
  {
    name: 'a contact-log entry on my customer naming their contact',
    method: 'POST',
    url: () => '/api/v1/contact-logs',
    body: (s, x) => ({
      customerId: s.mine.customerId,
      contactId: x.contact,
      direction: 'outbound',
      channel: 'phone',
      summary: '电话',
    }),
  },
  {
    name: 'a recurring service for the customer',
    method: 'POST',
    url: () => '/api/v1/customer-services',
    body: (s, x) => ({ customerId: x.customer, businessLineId: s.lineId, cycle: 'annual', nextDueOn: '2030-03-31' }),
  },
  {
    name: 'an opportunity for the customer',
    method: 'POST',
    url: () => '/api/v1/opportunities',
    body: (s, x) => ({ name: '年报审计', customerId: x.customer, businessLineId: s.lineId }),
  },
  {
    name: 'an activity on the customer',
    method: 'POST',
    url: () => '/api/v1/activities',
    body: (_, x) => ({ category: 'call', subject: '电话', customerId: x.customer }),
  },
  {
    name: 'an activity on the lead',
    method: 'POST',
    url: () => '/api/v1/activities',
    body: (_, x) => ({ category: 'call', subject: '电话', leadId: x.lead }),
  },
  {
    name: 'an activity on the opportunity',
    method: 'POST',
    url: () => '/api/v1/activities',
    body: (_, x) => ({ category: 'call', subject: '电话', opportunityId: x.opportunity }),
  },
  {
    name: 'merging the customer into mine',
    method: 'POST',
    url: (s) => `/api/v1/customers/${s.mine.customerId}/merge`,
    body: (_, x) => ({ duplicateId: x.customer }),
  },
  {
    name: 'converting my lead into the customer',
    method: 'POST',
    url: (s) => `/api/v1/leads/${s.mine.leadId}/convert`,
    body: (_, x) => ({ customerId: x.customer, opportunity: { name: '年报审计' } }),
  },
  { name: 'contacts of the customer', method: 'GET', url: (_, x) => `/api/v1/contacts?customerId=${x.customer}` },
  { name: 'the log of the customer', method: 'GET', url: (_, x) => `/api/v1/contact-logs?customerId=${x.customer}` },
  {
    name: 'services of the customer',
    method: 'GET',
    url: (_, x) => `/api/v1/customer-services?customerId=${x.customer}`,
  },
  { name: 'activities of the lead', method: 'GET', url: (_, x) => `/api/v1/activities?leadId=${x.lead}` },
  {
    name: 'opportunities of the customer',
    method: 'GET',
    url: (_, x) => `/api/v1/opportunities?customerId=${x.customer}`,
  },
  {
    name: 'a contract from the opportunity',
    method: 'POST',
    url: () => '/api/v1/contracts',
    body: (_, x) => ({ opportunityId: x.opportunity }),
  },
  {
    name: 'a contract for the customer',
    method: 'POST',
    url: () => '/api/v1/contracts',
    body: (s, x) => ({
      customerId: x.customer,
      businessLineId: s.lineId,
      lines: [{ description: '审计', amount: '1' }],
    }),
  },
  {
    name: 'an order from the contract',
    method: 'POST',
    url: () => '/api/v1/orders',
    body: (_, x) => ({ contractId: x.contract }),
  },
  { name: 'contracts of the customer', method: 'GET', url: (_, x) => `/api/v1/contracts?customerId=${x.customer}` },
  { name: 'orders of the contract', method: 'GET', url: (_, x) => `/api/v1/orders?contractId=${x.contract}` },
  {
    name: 'a commission sheet of the contract',
    method: 'POST',
    url: () => '/api/v1/commission-sheets',
    body: (_, x) => ({ contractId: x.contract, period: '1990-02' }),
  },
  {
    name: 'commission sheets of the contract',
    method: 'GET',
    url: (_, x) => `/api/v1/commission-sheets?contractId=${x.contract}`,
  },
  {
    name: 'an engagement from the order',
    method: 'POST',
    url: () => '/api/v1/engagements',
    body: (s, x) => ({ orderId: x.order, leadId: s.caller.id }),
  },
  {
    name: 'engagements of the customer',
    method: 'GET',
    url: (_, x) => `/api/v1/engagements?customerId=${x.customer}`,
  },
  { name: 'engagements of the order', method: 'GET', url: (_, x) => `/api/v1/engagements?orderId=${x.order}` },
  {
    name: 'work orders of the engagement',
    method: 'GET',
    url: (_, x) => `/api/v1/work-orders?engagementId=${x.engagement}&status=all`,
  },
  {
    name: 'time entries of the engagement',
    method: 'GET',
    url: (_, x) => `/api/v1/time-entries?engagementId=${x.engagement}`,
  },
  {
    name: 'time logged on the engagement in my week',
    method: 'PUT',
    url: () => `/api/v1/timesheets/${LAST_MONDAY}`,
    body: (_, x) => ({
      rows: [{ engagementId: x.engagement, category: 'engagement', hours: { [LAST_MONDAY]: '1' } }],
    }),
  },
];

/** A multipart body with one small text file. */
function oneFile() {
  const boundary = `----gongdan${Math.random().toString(16).slice(2)}`;
  const payload = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="memo.txt"\r\nContent-Type: text/plain\r\n\r\n会议纪要\r\n--${boundary}--\r\n`,
  );
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

function call(client: Client, method: string, url: string, body: unknown): Promise<Response> {
  if (body === 'file') return client.request(method as 'POST', url, undefined, oneFile());
  return client.request(method as 'GET', url, body ?? undefined);
}

const fill = (path: string, ids: Ids) =>
  path
    .replace('{version}', '1')
    .replace(
      /\/api\/v1\/([a-z-]+)\/\{id\}/,
      (_, collection: string) => `/api/v1/${collection}/${ids[RECORD_OF[collection]]}`,
    )
    .replace(/\{(\w+)\}/g, (_, name: string) => ids[CHILD_OF[name]]);

const randomIds = (): Ids =>
  Object.fromEntries(
    [
      'customer',
      'contact',
      'contactLog',
      'service',
      'lead',
      'opportunity',
      'activity',
      'file',
      'quote',
      'milestone',
      'task',
      'contract',
      'order',
      'engagement',
      'engagementTask',
      'person',
      'qualification',
      'cpeEntry',
      'commissionSheet',
      'commissionLine',
      'reportPin',
      'reportSubscription',
      'article',
      'conversation',
      'message',
      'crossSell',
    ].map((k) => [k, randomUUID()]),
  ) as Ids;

const answerOf = (res: Response) => ({ status: res.status, body: res.body });

async function created(res: Response | Promise<Response>): Promise<{ id: string } & Record<string, unknown>> {
  const r = await res;
  expect([200, 201], JSON.stringify(r.body)).toContain(r.status);
  return Array.isArray(r.body) ? r.body[0] : r.body;
}

/** A salesperson elsewhere in the firm with one of everything. */
async function strangersRecords(lineId: string): Promise<{ ids: Ids; stageId: string }> {
  const { client: s, user } = await signedIn(t);
  const customer = await created(s.post('/api/v1/customers', { name: uniq('西安秦川精密机械有限公司') }));
  const contact = await created(s.post('/api/v1/contacts', { customerId: customer.id, name: '赵总' }));
  const contactLog = await created(
    s.post('/api/v1/contact-logs', {
      customerId: customer.id,
      direction: 'inbound',
      channel: 'email',
      summary: '来函',
    }),
  );
  const file = await created(call(s, 'POST', `/api/v1/contact-logs/${contactLog.id}/attachments`, 'file'));
  const service = await created(
    s.post('/api/v1/customer-services', {
      customerId: customer.id,
      businessLineId: lineId,
      cycle: 'annual',
      nextDueOn: '2030-03-31',
    }),
  );
  const lead = await created(s.post('/api/v1/leads', { companyName: uniq('咸阳新材料有限公司'), ownerId: user.id }));
  const opportunity = await created(
    s.post('/api/v1/opportunities', { name: '年报审计', customerId: customer.id, businessLineId: lineId }),
  );
  const quote = await created(
    s.post(`/api/v1/opportunities/${opportunity.id}/quotes`, { items: [{ description: '审计', unitPrice: '1' }] }),
  );
  const milestone = await created(s.post(`/api/v1/opportunities/${opportunity.id}/milestones`, { name: '计划' }));
  const task = await created(s.post(`/api/v1/opportunities/${opportunity.id}/tasks`, { title: '了解被审计单位' }));
  const activity = await created(
    s.post('/api/v1/activities', { category: 'call', subject: '电话', customerId: customer.id }),
  );
  const contract = await created(
    s.post('/api/v1/contracts', {
      customerId: customer.id,
      businessLineId: lineId,
      lines: [{ description: '年报审计', amount: '5000' }],
      terms: [{ kind: 'final', percent: '100', trigger: 'signing' }],
    }),
  );
  await created(s.post(`/api/v1/contracts/${contract.id}/submit`));
  await created(s.post(`/api/v1/contracts/${contract.id}/sign`, {}));
  const order = await created(s.post('/api/v1/orders', { contractId: contract.id }));
  await created(s.post(`/api/v1/orders/${order.id}/confirm`));
  await buildTemplate(t.database.db, lineId);
  const { client: partner } = await signedIn(t, { roleCode: 'admin' });
  const made = await created(partner.post('/api/v1/engagements', { orderId: order.id, leadId: user.id }));
  const engagement = (made.items as { id: string; phases: { tasks: { id: string }[] }[] }[])[0];
  // The stranger's people record: a certificate (kept by an administrator) and a CPE entry of their own.
  const qualification = await created(
    partner.post(`/api/v1/people/${user.id}/qualifications`, {
      kind: 'cost-engineer',
      certificateNo: '建[造]16110001',
    }),
  );
  const cpeEntry = await created(
    s.post(`/api/v1/people/${user.id}/cpe-entries`, {
      takenOn: '2025-03-04',
      course: '工程造价',
      hours: '4',
      kind: 'online',
    }),
  );
  // The month's commission sheet of the stranger's contract, with the stranger's line (as rows, under a policy of
  // long ago that is never in force for another test's months).
  const db = t.database.db;
  const [policy] = await db
    .insert(commissionPolicies)
    .values({
      version: 800_000 + Math.floor(Math.random() * 99_999),
      name: uniq('旧政策'),
      effectiveFrom: '1990-01-01',
      status: 'adopted',
      rules: [],
    })
    .returning();
  const [sheet] = await db
    .insert(commissionSheets)
    .values({
      period: '1990-01',
      contractId: contract.id,
      businessLineId: lineId,
      ownerId: user.id,
      departmentId: user.departmentId,
      policyId: policy.id,
      receivedBefore: '0',
      received: '5000',
      hours: '0',
      total: '150',
    })
    .returning();
  const [commissionLine] = await db
    .insert(commissionLines)
    .values({
      sheetId: sheet.id,
      userId: user.id,
      side: 'sale',
      role: 'sales-owner',
      ruleKey: 'S1',
      method: 'amount',
      computed: '150',
      amount: '150',
      explanation: {},
    })
    .returning();
  // A cross-sell suggestion for the stranger's customer.
  const [crossSell] = await db
    .insert(crossSellSuggestions)
    .values({
      customerId: customer.id,
      businessLineId: lineId,
      score: '0.5',
      level: 'industry',
      similarCount: 10,
      buyingCount: 5,
      segment: { industry: null, size: null, regionId: null },
      ownerId: user.id,
    })
    .returning();
  // The stranger's pin and scheduled report (each user's own: another's is 404).
  const pin = await created(s.post('/api/v1/report-pins', { kind: 'branch-comparison' }));
  const subscription = await created(
    s.post('/api/v1/report-subscriptions', { kind: 'branch-comparison', frequency: 'weekly' }),
  );
  // The stranger's lesson, read only by those who see its customer.
  const article = await created(
    s.post('/api/v1/knowledge', {
      kind: 'lesson',
      title: '秦川精密年报审计复盘',
      visibility: 'linked',
      links: [{ type: 'customer', id: customer.id }],
    }),
  );
  // The stranger's group chat with a colleague, and a message in it.
  const { user: colleague } = await signedIn(t);
  const conversation = await created(
    s.post('/api/v1/conversations', { kind: 'group', title: '秦川项目组', memberIds: [colleague.id] }),
  );
  const message = await created(s.post(`/api/v1/conversations/${conversation.id}/messages`, { body: '明天去现场' }));
  const ids = {
    conversation: conversation.id,
    message: message.id,
    article: article.id,
    reportPin: pin.id,
    reportSubscription: subscription.id,
    commissionSheet: sheet.id,
    commissionLine: commissionLine.id,
    contract: contract.id,
    order: order.id,
    customer: customer.id,
    contact: contact.id,
    contactLog: contactLog.id,
    service: service.id,
    lead: lead.id,
    opportunity: opportunity.id,
    activity: activity.id,
    file: file.id,
    quote: quote.id,
    milestone: milestone.id,
    task: task.id,
    engagement: engagement.id,
    engagementTask: engagement.phases[0].tasks[0].id,
    person: user.id,
    qualification: qualification.id,
    cpeEntry: cpeEntry.id,
    crossSell: crossSell.id,
  };
  return { ids, stageId: opportunity.stageId as string };
}

/** A salesperson and the manager of another department: neither sees the stranger's records. */
async function callers(): Promise<{ callers: Caller[]; mine: Setup['mine'] }> {
  const seller = await signedIn(t);
  const manager = await signedIn(t, { roleCode: 'manager', departmentId: seller.user.departmentId });
  const mine = await created(seller.client.post('/api/v1/customers', { name: uniq('宝鸡钛业有限公司') }));
  const lead = await created(
    seller.client.post('/api/v1/leads', { companyName: uniq('渭南果业有限公司'), ownerId: seller.user.id }),
  );
  await created(seller.client.post(`/api/v1/leads/${lead.id}/status`, { status: 'qualified' }));
  const article = await created(seller.client.post('/api/v1/knowledge', { kind: 'experience', title: '承接要点' }));
  const conversation = await created(
    seller.client.post('/api/v1/conversations', { kind: 'group', title: '宝鸡项目组', memberIds: [manager.user.id] }),
  );
  return {
    callers: [
      { name: 'salesperson', client: seller.client, id: seller.user.id },
      { name: 'manager', client: manager.client, id: manager.user.id },
    ],
    mine: { customerId: mine.id, leadId: lead.id, articleId: article.id, conversationId: conversation.id },
  };
}

describe('existence oracles', () => {
  it('every action on a record one cannot see answers exactly as for a random id', async () => {
    const line = await buildBusinessLine(t.database.db);
    const { ids: hidden, stageId } = await strangersRecords(line.id);
    const { callers: people, mine } = await callers();

    // The table covers every documented action under these collections (a new route must be added here).
    const spec = t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(spec.paths).flatMap(([path, methods]) =>
      /^\/api\/v1\/(customers|contacts|contact-logs|customer-services|leads|opportunities|activities|contracts|orders|engagements|engagement-tasks|people|qualifications|cpe-entries|commission-sheets|report-pins|report-subscriptions|knowledge|conversations|cross-sell)\/\{id\}/.test(
        path,
      )
        ? Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`)
        : [],
    );
    expect(documented.sort()).toEqual(Object.keys(ACTIONS).sort());

    for (const caller of people) {
      const s: Setup = { caller, stageId, lineId: line.id, mine };
      for (const [key, body] of Object.entries(ACTIONS)) {
        const [method, path] = key.split(' ');
        const payload = typeof body === 'function' ? body(s) : body;
        const query = QUERIES[key] ?? '';
        const invisible = await call(caller.client, method, fill(path, hidden) + query, payload);
        const random = await call(caller.client, method, fill(path, randomIds()) + query, payload);
        expect(answerOf(invisible), `${caller.name}: ${key}`).toEqual(answerOf(random));
        // Refused for the record (404) or for the caller's role (403, the same for any id) — never a hint.
        expect([403, 404], `${caller.name}: ${key}`).toContain(invisible.status);
        if (/\{(fileId|quoteId|milestoneId|taskId|lineId|messageId)\}/.test(path)) {
          const childless = await call(
            caller.client,
            method,
            fill(path, {
              ...randomIds(),
              ...{ [RECORD_OF[path.split('/')[3]]]: hidden[RECORD_OF[path.split('/')[3]]] },
            }) + query,
            payload,
          );
          expect(answerOf(childless), `${caller.name}: ${key} (random child)`).toEqual(answerOf(random));
        }
      }
      for (const ref of REFERENCES) {
        const invisible = await call(caller.client, ref.method, ref.url(s, hidden), ref.body?.(s, hidden));
        const random = await call(caller.client, ref.method, ref.url(s, randomIds()), ref.body?.(s, randomIds()));
        expect(answerOf(invisible), `${caller.name}: ${ref.name}`).toEqual(answerOf(random));
      }
    }
    // Nothing of the stranger's changed hands.
    const { client: exec } = await signedIn(t, { roleCode: 'executive' });
    const customer = (await exec.get(`/api/v1/customers/${hidden.customer}`)).body;
    expect(customer.sharedWith).toEqual([]);
    expect((await exec.get(`/api/v1/contact-logs/${hidden.contactLog}`)).body.attachments).toHaveLength(1);
  }, 180_000); // some 350 requests

  it('claiming someone else’s customer is “not found”; one the caller may see answers that it left the pool', async () => {
    const { client: owner, user } = await signedIn(t);
    const { client: colleague } = await signedIn(t);
    const { client: manager } = await signedIn(t, { roleCode: 'manager', departmentId: user.departmentId });
    const customer = await created(owner.post('/api/v1/customers', { name: uniq('铜川水泥有限公司') }));
    const stranger = await colleague.post(`/api/v1/customers/${customer.id}/claim`);
    expect(stranger.status).toBe(404);
    expect(answerOf(stranger)).toEqual(answerOf(await colleague.post(`/api/v1/customers/${randomUUID()}/claim`)));
    const visible = await manager.post(`/api/v1/customers/${customer.id}/claim`);
    expect(visible.status).toBe(409);
    expect(visible.body.error.code).toBe('CUSTOMER_NOT_IN_POOL');
  });
});
