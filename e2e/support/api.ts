import type { z } from 'zod';
import type { Me } from '../../common/schemas/auth';
import type { Page } from '../../common/schemas/common';
import type { Role, User, UserCreate } from '../../common/schemas/staff';
import { DEMO_PASSWORD } from './ui';

/** A signed-in API client for setting up test data the way the web app would (cookie + CSRF token). */
export async function apiSession(baseURL: string, username: string, password = DEMO_PASSWORD) {
  const login = await fetch(`${baseURL}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!login.ok) throw new Error(`login as ${username} failed: ${login.status} ${await login.text()}`);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const me = (await login.json()) as Me;
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${baseURL}${path}`, {
      method,
      headers: {
        cookie,
        'x-csrf-token': me.csrfToken ?? '',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  /** A call whose refusal is the point: the status and body, never thrown. */
  const attempt = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${baseURL}${path}`, {
      method,
      headers: { cookie, 'x-csrf-token': me.csrfToken ?? '', 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
    return { status: response.status, body: (await response.json()) as { error?: { code: string } } };
  };
  return {
    me,
    get: <T>(path: string) => call<T>('GET', path),
    post: <T>(path: string, body: unknown) => call<T>('POST', path, body),
    put: <T>(path: string, body: unknown) => call<T>('PUT', path, body),
    patch: <T>(path: string, body: unknown) => call<T>('PATCH', path, body),
    attempt,
  };
}

export type Session = Awaited<ReturnType<typeof apiSession>>;

/** Creates a user with a built-in role (by code); the rest of the fields may be overridden. */
export async function createUser(
  session: Session,
  roleCode: string,
  fields: Omit<z.input<typeof UserCreate>, 'roleId' | 'staffCategory'> & Partial<z.input<typeof UserCreate>>,
) {
  const roles = await session.get<Page<Role>>(`/api/v1/roles?q=${encodeURIComponent(roleCode)}&pageSize=100`);
  const role = roles.items.find((r) => r.code === roleCode);
  if (!role) throw new Error(`no role ${roleCode}`);
  return session.post<User>('/api/v1/users', { staffCategory: 'backoffice', roleId: role.id, ...fields });
}

/**
 * A customer and an audit (审计, line SJ) opportunity of the session's user, won the way the pipeline asks: one quote
 * line at the amount accepted (no discount), the acceptance checklist answered, then moved to the won stage.
 */
export async function wonAuditOpportunity(
  session: Session,
  { customer, title, amount }: { customer: string; title: string; amount: string },
): Promise<{ id: string; customerId: string }> {
  const lines = await session.get<Page<{ id: string; code: string }>>('/api/v1/business-lines?pageSize=100');
  const audit = lines.items.find((l) => l.code === 'SJ')!;
  const { id: customerId } = await session.post<{ id: string }>('/api/v1/customers', { name: customer });
  const { id } = await session.post<{ id: string }>('/api/v1/opportunities', {
    name: title,
    customerId,
    businessLineId: audit.id,
    expectedAmount: amount,
  });
  const quote = await session.post<{ id: string }>(`/api/v1/opportunities/${id}/quotes`, {
    items: [{ description: '2026 年度财务报表审计', quantity: '1', unitPrice: amount }],
  });
  await session.attempt('PATCH', `/api/v1/opportunities/${id}/quotes/${quote.id}`, { status: 'accepted' });
  const acceptance = await session.get<{ items: { key: string }[] }>(`/api/v1/opportunities/${id}/acceptance`);
  await session.put(`/api/v1/opportunities/${id}/acceptance`, {
    answers: Object.fromEntries(acceptance.items.map((i) => [i.key, { checked: true }])),
  });
  const pipeline = await session.get<{ stages: { id: string; kind: string }[] }>(
    `/api/v1/pipelines?businessLineId=${audit.id}`,
  );
  await session.post(`/api/v1/opportunities/${id}/move`, {
    stageId: pipeline.stages.find((s) => s.kind === 'won')!.id,
  });
  return { id, customerId };
}

/** The newest approval of a subject, as the session's user sees it. */
export async function latestApproval(session: Session, subjectKind: string, subjectId: string) {
  const answer = await session.get<{ latest: { id: string; round: number; currentStep: number; status: string } }>(
    `/api/v1/workflow-instances?subjectKind=${subjectKind}&subjectId=${subjectId}`,
  );
  return answer.latest;
}

/** The session's user decides the approval of a subject waiting for them (the round they saw). */
export async function decideApproval(
  session: Session,
  subjectKind: string,
  subjectId: string,
  body: Record<string, unknown>,
) {
  const latest = await latestApproval(session, subjectKind, subjectId);
  return session.post<{ status: string }>(`/api/v1/workflow-instances/${latest.id}/decide`, {
    ...body,
    round: latest.round,
  });
}

/**
 * sales1's won audit opportunity made a contract, approved by `manager`, signed with half on signing and half on
 * completion 结项, and its order confirmed.
 */
export async function signedAuditOrder(
  baseURL: string,
  opportunity: { customer: string; title: string; amount: string },
): Promise<{ contractId: string; orderId: string }> {
  const sales1 = await apiSession(baseURL, 'sales1');
  const won = await wonAuditOpportunity(sales1, opportunity);
  const { id: contractId } = await sales1.post<{ id: string }>('/api/v1/contracts', { opportunityId: won.id });
  await sales1.post(`/api/v1/contracts/${contractId}/submit`, {});
  await decideApproval(await apiSession(baseURL, 'manager'), 'contract', contractId, { action: 'approve' });
  const signed = await sales1.post<{ status: string }>(`/api/v1/contracts/${contractId}/sign`, {
    terms: [
      { kind: 'down-payment', percent: '50', trigger: 'signing' },
      { kind: 'final', percent: '50', trigger: 'completion' },
    ],
  });
  if (signed.status !== 'signed') throw new Error(`contract ${contractId} is ${signed.status}`);
  const { id: orderId } = await sales1.post<{ id: string }>('/api/v1/orders', { contractId });
  const confirmed = await sales1.post<{ status: string }>(`/api/v1/orders/${orderId}/confirm`, {});
  if (confirmed.status !== 'confirmed') throw new Error(`order ${orderId} is ${confirmed.status}`);
  return { contractId, orderId };
}

/** The session's user decides, from their inbox, the waiting approval of a subject (fails when none waits for them). */
export async function decideWaiting(
  session: Session,
  subjectKind: string,
  subjectId: string,
  body: Record<string, unknown>,
) {
  const waiting = await session.get<{ items: { id: string; subjectId: string; round: number }[] }>(
    `/api/v1/approvals?box=waiting&subjectKind=${subjectKind}&pageSize=100`,
  );
  const mine = waiting.items.find((i) => i.subjectId === subjectId);
  if (!mine) throw new Error(`no ${subjectKind} ${subjectId} waits for this user`);
  return session.post<{ status: string }>(`/api/v1/workflow-instances/${mine.id}/decide`, {
    ...body,
    round: mine.round,
  });
}
