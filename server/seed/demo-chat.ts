import { and, asc, eq, sql } from 'drizzle-orm';
import type { Ctx, JobsTx } from '../context';
import { chatMessages, conversationMembers, conversations } from '../domains/chat/chat.tables';
import { createConversation, recordConversation, syncDepartmentChannels } from '../domains/chat/conversations.service';
import { markRead, postMessage } from '../domains/chat/messages.service';
import { opportunities } from '../domains/opportunities/opportunities.tables';
import { loadActor } from '../domains/staff/actors';
import { departments, users } from '../domains/staff/staff.tables';

/**
 * The demo's chat 团队协作: 审计一部's channel with the manager's meeting notice pinned as an announcement 公告, a
 * discussion on one of 李明's open opportunities where 王建国 mentions him (unread: it is on his Today), the
 * 年报审计项目组 group and a one-to-one between 李明 and 张丽 — each posted through the service, in order, the
 * conversation read by everyone who took part except that one mention.
 */
export async function seedDemoChat(tx: JobsTx): Promise<void> {
  const people = new Map<string, Ctx>();
  const as = async (username: string): Promise<Ctx> => {
    let ctx = people.get(username);
    if (!ctx) {
      const [user] = await tx.db.select({ id: users.id }).from(users).where(eq(users.username, username));
      const actor = await loadActor(tx.db, user!.id);
      ctx = { ...tx, actor: actor!, requestId: 'demo' };
      people.set(username, ctx);
    }
    return ctx;
  };
  const say = async (username: string, conversationId: string, body: string, mentions: string[] = []) => {
    const ctx = await as(username);
    const ids = await Promise.all(mentions.map(async (m) => (await as(m)).actor.id));
    return postMessage(ctx, conversationId, { body, mentions: ids, mentionAll: false, links: [], fileIds: [] });
  };

  await syncDepartmentChannels(tx.db);
  const [channel] = await tx.db
    .select({ id: conversations.id })
    .from(conversations)
    .innerJoin(departments, eq(departments.id, conversations.departmentId))
    .where(and(eq(conversations.kind, 'department'), eq(departments.name, '审计一部')));
  const notice = await say(
    'manager',
    channel!.id,
    '各位：本周五下午 3 点在 3 号会议室开部门例会，讨论年报审计的进场排期。请提前在系统里更新各自项目的进度，有人手冲突的先在群里说。',
  );
  const manager = await as('manager');
  await tx.db
    .update(chatMessages)
    .set({ pinnedAt: sql`now()`, pinnedBy: manager.actor.id })
    .where(eq(chatMessages.id, notice.id));
  await say('zhoujie', channel!.id, '收到。秦岭机械的存货监盘定在下周二，需要再来两位同事支援。');
  await say('wufang', channel!.id, '我下周二全天可以去。');
  await say('sales1', channel!.id, '渭河水务问能否提前拿到审计报告初稿，我下午拜访时再和他们确认时间。');

  const sales1 = await as('sales1');
  const [opportunity] = await tx.db
    .select({ id: opportunities.id })
    .from(opportunities)
    .where(and(eq(opportunities.ownerId, sales1.actor.id), eq(opportunities.status, 'open')))
    .orderBy(asc(opportunities.createdAt), asc(opportunities.id))
    .limit(1);
  if (opportunity) {
    const discussion = await recordConversation(sales1, 'opportunity', opportunity.id);
    await say('sales1', discussion.id, '客户财务总监希望下周三前看到方案，报价我按去年的标准上浮 5% 准备。');
    await say(
      'manager',
      discussion.id,
      '@李明 上浮可以，但要把今年新增的两家子公司单列工时，方案里写清楚合并范围。周二前发我看一下。',
      ['sales1'],
    );
  }

  const group = await createConversation(await as('zhoujie'), {
    kind: 'group',
    title: '年报审计项目组',
    memberIds: [(await as('wufang')).actor.id, (await as('zhengqiang')).actor.id, sales1.actor.id],
  });
  await say('zhoujie', group.conversation.id, '底稿模板已更新到知识库，进场前请大家先看一遍“存货监盘要点”。');
  await say('zhengqiang', group.conversation.id, '好的，函证我这周发出去。');

  const direct = await createConversation(sales1, { kind: 'direct', userId: (await as('sales2')).actor.id });
  await say('sales1', direct.conversation.id, '张丽，高新区那家做软件的客户今年有审计需求吗？有的话我们一起去拜访。');
  await say('sales2', direct.conversation.id, '有，他们在问研发费用加计扣除的事，下周可以一起去。');

  // Everyone who took part has read what they saw, but 李明 has not yet read 王建国's mention.
  const taking = await tx.db
    .select({ conversationId: conversationMembers.conversationId, userId: conversationMembers.userId })
    .from(conversationMembers)
    .where(sql`${conversationMembers.leftAt} IS NULL`);
  for (const { conversationId, userId } of taking) {
    const ctx = [...people.values()].find((p) => p.actor.id === userId);
    if (!ctx) continue;
    const [row] = await tx.db
      .select({ lastSeq: conversations.lastSeq, kind: conversations.kind })
      .from(conversations)
      .where(eq(conversations.id, conversationId));
    if (row!.kind === 'record' && userId === sales1.actor.id) continue;
    await markRead(ctx, conversationId, row!.lastSeq);
  }
}
