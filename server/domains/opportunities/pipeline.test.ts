import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusinessLine, buildOpportunity, buildUser, signedIn } from '../../test/factories';
import { createTestApp, type Client, type TestApp } from '../../test/harness';

let t: TestApp;
let admin: Client;
beforeAll(async () => {
  t = await createTestApp();
  admin = (await signedIn(t, { roleCode: 'admin' })).client;
});
afterAll(() => t.close());

type Stage = {
  id: string;
  businessLineId: string | null;
  nameZh: string;
  nameEn: string;
  position: number;
  kind: string;
  probability: number;
  requiredFields: string[];
  active: boolean;
};
type StageInput = {
  id?: string;
  nameZh: string;
  nameEn: string;
  kind?: string;
  probability: number;
  requiredFields?: string[];
};

const DEFAULT_STAGES = ['初步接洽', '需求分析', '方案建议', '商务报价', '商务谈判', '赢单', '输单'];
const SAMPLE_ID = '6f1c1d7e-8a7b-4c55-9a51-3c2f0b7d1e01';

const pipelineOf = async (client: Client, businessLineId?: string) =>
  (await client.get('/api/v1/pipelines', { businessLineId })).body as {
    businessLineId: string | null;
    own: boolean;
    stages: Stage[];
  };
const save = (businessLineId: string | null, stages: StageInput[]) =>
  admin.request('PUT', '/api/v1/pipelines', { businessLineId, stages });
const input = (s: Stage): StageInput => ({
  id: s.id,
  nameZh: s.nameZh,
  nameEn: s.nameEn,
  kind: s.kind,
  probability: s.probability,
  requiredFields: s.requiredFields,
});
const byName = (stages: Stage[]) => Object.fromEntries(stages.map((s) => [s.nameZh, s]));
const simple: StageInput[] = [
  { nameZh: '接洽', nameEn: 'Contact', probability: 20 },
  { nameZh: '报价', nameEn: 'Quote', probability: 60, requiredFields: ['expectedAmount'] },
  { nameZh: '成交', nameEn: 'Won', kind: 'won', probability: 100 },
  { nameZh: '丢单', nameEn: 'Lost', kind: 'lost', probability: 0 },
];

describe('pipelines', () => {
  it('gives a line without its own pipeline the default one, and lists every active stage for filters', async () => {
    const line = await buildBusinessLine(t.database.db);
    const { client } = await signedIn(t);
    const pipeline = await pipelineOf(client, line.id);
    expect(pipeline).toMatchObject({ businessLineId: line.id, own: false });
    expect(pipeline.stages.map((s) => s.nameZh)).toEqual(DEFAULT_STAGES);
    expect(pipeline.stages.map((s) => s.position)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(pipeline.stages.map((s) => s.probability)).toEqual([10, 25, 40, 60, 80, 100, 0]);
    expect(byName(pipeline.stages)['商务报价'].requiredFields).toEqual(['quote']);
    expect(pipeline.stages.every((s) => s.businessLineId === null && s.active)).toBe(true);
    const defaults = await pipelineOf(client);
    expect(defaults).toEqual({ ...pipeline, businessLineId: null });
    const all = (await client.get('/api/v1/stages')).body as Stage[];
    expect(all.map((s) => s.id)).toEqual(expect.arrayContaining(pipeline.stages.map((s) => s.id)));
    expect((await client.get('/api/v1/pipelines', { businessLineId: SAMPLE_ID })).status).toBe(404);
    // Only sales configuration changes pipelines.
    expect((await client.request('PUT', '/api/v1/pipelines', { businessLineId: line.id, stages: simple })).status).toBe(
      403,
    );
  });

  it('refuses an invalid pipeline and changes nothing', async () => {
    const line = await buildBusinessLine(t.database.db);
    const invalid = async (stages: StageInput[], businessLineId: string | null = line.id) => {
      const res = await save(businessLineId, stages);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      return res.body.error;
    };
    const noWon = await invalid(
      simple.filter((s) => s.kind !== 'won').concat({ nameZh: '暂缓', nameEn: 'On hold', probability: 5 }),
    );
    expect(noWon).toMatchObject({
      code: 'PIPELINE_INVALID',
      message: '销售流程无效：须有且只有一个赢单阶段和一个输单阶段',
      details: { reason: 'wonLost' },
    });
    expect(
      (await invalid([...simple, { nameZh: '作废', nameEn: 'Void', kind: 'lost', probability: 0 }])).details.reason,
    ).toBe('wonLost');
    const twice = await invalid([...simple, { nameZh: '接洽', nameEn: 'Contact again', probability: 30 }]);
    expect(twice).toMatchObject({ code: 'PIPELINE_INVALID', details: { reason: 'duplicateName', name: '接洽' } });
    expect((await invalid([{ ...simple[0], id: SAMPLE_ID }, ...simple.slice(1)])).details.reason).toBe('unknownStage');
    expect((await invalid(simple.slice(2))).code).toBe('VALIDATION_FAILED');
    expect((await invalid([{ ...simple[0], requiredFields: ['budget'] }, ...simple.slice(1)])).code).toBe(
      'VALIDATION_FAILED',
    );
    expect((await invalid([{ ...simple[0], probability: 101 }, ...simple.slice(1)])).code).toBe('VALIDATION_FAILED');
    // The default pipeline too (nothing is saved, so other tests keep theirs).
    expect(
      (
        await invalid(
          simple.filter((s) => s.kind !== 'lost').concat({ nameZh: '暂缓', nameEn: 'On hold', probability: 5 }),
          null,
        )
      ).code,
    ).toBe('PIPELINE_INVALID');
    const gone = await invalid(simple, SAMPLE_ID);
    expect(gone.code).toBe('INACTIVE_REFERENCE');
    // In English for an English-speaking user.
    const english = await signedIn(t, { roleCode: 'admin' });
    await english.client.patch('/api/v1/auth/me', { locale: 'en-US' });
    const res = await english.client.request('PUT', '/api/v1/pipelines', {
      businessLineId: line.id,
      stages: simple.slice(0, 3).concat({ nameZh: '成交2', nameEn: 'Won 2', kind: 'won', probability: 100 }),
    });
    expect(res.body.error.message).toBe('Invalid pipeline: it needs exactly one won and one lost stage');
    expect((await pipelineOf(admin, line.id)).own).toBe(false);
  });

  it('gives a line its own pipeline from the default stages, leaving the default and the opportunities in it where they are', async () => {
    const line = await buildBusinessLine(t.database.db);
    const seller = await buildUser(t.database.db);
    const before = await pipelineOf(admin, line.id);
    const defaults = byName(before.stages);
    // An opportunity already in the default pipeline's 方案建议.
    const old = await buildOpportunity(t, {
      ownerId: seller.id,
      businessLineId: line.id,
      expectedAmount: '1000',
      expectedCloseOn: '2026-09-30',
    });
    const moved = await admin.post(`/api/v1/opportunities/${old.id}/move`, { stageId: defaults['方案建议'].id });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);

    // Edited from what the form showed: renamed, one dropped, one added, reordered.
    const stages = before.stages.filter((s) => s.nameZh !== '需求分析').map(input);
    stages[0] = { ...stages[0], nameZh: '初次接触', nameEn: 'First touch' };
    stages.splice(1, 0, {
      nameZh: '尽职调查',
      nameEn: 'Due diligence',
      probability: 30,
      requiredFields: ['contact', 'expectedAmount'],
    });
    const saved = await save(line.id, stages);
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.own).toBe(true);
    expect(saved.body.stages.map((s: Stage) => s.nameZh)).toEqual([
      '初次接触',
      '尽职调查',
      '方案建议',
      '商务报价',
      '商务谈判',
      '赢单',
      '输单',
    ]);
    expect(saved.body.stages.map((s: Stage) => s.position)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(saved.body.stages.every((s: Stage) => s.businessLineId === line.id)).toBe(true);
    const ownIds = saved.body.stages.map((s: Stage) => s.id);
    expect(ownIds.filter((id: string) => before.stages.some((s) => s.id === id))).toEqual([]);
    expect(await pipelineOf(admin)).toEqual({ ...before, businessLineId: null });
    const own = byName(saved.body.stages);

    // The old opportunity stays in the default stage and keeps a column on the line's board.
    expect((await admin.get(`/api/v1/opportunities/${old.id}`)).body).toMatchObject({
      stageId: defaults['方案建议'].id,
      stageNameZh: '方案建议',
    });
    const board = (await admin.get('/api/v1/opportunities/board', { businessLineId: line.id })).body;
    expect(board.columns.map((c: { stage: Stage }) => c.stage.id)).toEqual([
      ...ownIds.slice(0, 5),
      defaults['方案建议'].id,
      ...ownIds.slice(5),
    ]);
    expect(board.columns[5]).toMatchObject({ count: 1, totalAmount: '1000.00', cards: [{ id: old.id }] });
    // It can still move within the default pipeline, or over into the line's own one.
    expect(
      (await admin.post(`/api/v1/opportunities/${old.id}/move`, { stageId: defaults['初步接洽'].id })).status,
    ).toBe(200);
    const over = await admin.post(`/api/v1/opportunities/${old.id}/move`, { stageId: own['商务谈判'].id });
    expect(over.status).toBe(200);
    expect(over.body).toMatchObject({ stageNameZh: '商务谈判', probability: 80 });

    // New opportunities start in the line's own first stage, with its probability.
    const fresh = await buildOpportunity(t, { ownerId: seller.id, businessLineId: line.id });
    expect(fresh).toMatchObject({ stageId: own['初次接触'].id, stageNameZh: '初次接触', probability: 10 });
    const audit = await admin.get('/api/v1/audit-logs', { entityType: 'pipeline', entityId: line.id });
    expect(audit.body.items).toEqual([expect.objectContaining({ action: 'create' })]);
  });

  it('updates stages by id, and refuses to remove or change the kind of a stage that open opportunities sit in', async () => {
    const line = await buildBusinessLine(t.database.db);
    const first = await save(line.id, simple);
    expect(first.status).toBe(200);
    const stages = first.body.stages as Stage[];
    const [contact, quote, won, lost] = stages;
    const opp = await buildOpportunity(t, { businessLineId: line.id, expectedAmount: '10' });
    expect((await admin.post(`/api/v1/opportunities/${opp.id}/move`, { stageId: quote.id })).status).toBe(200);

    const withoutQuote = await save(line.id, [contact, won, lost].map(input));
    expect(withoutQuote.status).toBe(409);
    expect(withoutQuote.body.error).toMatchObject({
      code: 'PIPELINE_STAGE_IN_USE',
      message: '阶段“报价”还有 1 个进行中的商机，请先移走再停用',
      details: { stageId: quote.id, count: 1 },
    });
    const quoteWins = await save(
      line.id,
      [contact, { ...quote, kind: 'won' }, { ...won, kind: 'open' }, lost].map(input),
    );
    expect(quoteWins.body.error.code).toBe('PIPELINE_STAGE_IN_USE');
    expect((await pipelineOf(admin, line.id)).stages).toEqual(stages);

    // Renamed and reordered in place: the opportunity follows its stage.
    const renamed = await save(line.id, [
      { ...input(quote), nameZh: '商务报价', nameEn: 'Quotation', probability: 55 },
      input(contact),
      input(lost),
      input(won),
    ]);
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect(renamed.body.stages.map((s: Stage) => [s.id, s.nameZh, s.position])).toEqual([
      [quote.id, '商务报价', 0],
      [contact.id, '接洽', 1],
      [lost.id, '丢单', 2],
      [won.id, '成交', 3],
    ]);
    expect((await admin.get(`/api/v1/opportunities/${opp.id}`)).body).toMatchObject({
      stageId: quote.id,
      stageNameZh: '商务报价',
    });

    // Once it has moved on, the stage can go: deactivated, kept for the history.
    expect((await admin.post(`/api/v1/opportunities/${opp.id}/move`, { stageId: contact.id })).status).toBe(200);
    const removed = await save(line.id, [contact, won, lost].map(input));
    expect(removed.status).toBe(200);
    expect(removed.body.stages.map((s: Stage) => s.nameZh)).toEqual(['接洽', '成交', '丢单']);
    expect(((await admin.get('/api/v1/stages')).body as Stage[]).some((s) => s.id === quote.id)).toBe(false);
    const changes = (await admin.get(`/api/v1/opportunities/${opp.id}/stage-history`)).body;
    expect(changes.map((c: { toStageNameZh: string }) => c.toStageNameZh)).toEqual(['接洽', '商务报价', '接洽']);
    expect((await admin.post(`/api/v1/opportunities/${opp.id}/move`, { stageId: quote.id })).body.error.code).toBe(
      'STAGE_NOT_IN_PIPELINE',
    );
    // Brought back by its id, it is active again.
    const back = await save(line.id, [contact, { ...quote, nameZh: '报价' }, won, lost].map(input));
    expect(back.body.stages.map((s: Stage) => s.id)).toEqual([contact.id, quote.id, won.id, lost.id]);
    const audit = await admin.get('/api/v1/audit-logs', { entityType: 'pipeline', entityId: line.id });
    expect(audit.body.items.map((a: { action: string }) => a.action)).toEqual(['update', 'update', 'update', 'create']);
  });
});
