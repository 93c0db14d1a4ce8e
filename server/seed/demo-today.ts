import { and, asc, eq, isNotNull } from 'drizzle-orm';
import { activities, activityAssignees } from '../domains/activities/activities.tables';
import { customers } from '../domains/customers/customers.tables';
import type { JobsTx } from '../context';
import { syncActivityReminders, syncNextContactReminder } from '../domains/reminders/reminders.service';
import { raiseInactiveSuggestions } from '../domains/suggestions/suggestions.service';
import { users } from '../domains/staff/staff.tables';

const hour = 3_600_000;
const day = 24 * hour;

/**
 * What a salesperson of the demo firm finds on Today 今日 and in the calendar: planned work
 * (one overdue, some today, the rest of the week) and done work of last week, a colleague on a
 * visit, next-contact reminders (those due fire as soon as the app works its queues), two
 * customers gone quiet with the follow-up drafted. Runs after the customers and sales demo data.
 */
export async function seedDemoToday(tx: JobsTx, now = new Date()): Promise<void> {
  const { db } = tx;
  const staff = new Map(
    (await db.select({ id: users.id, username: users.username }).from(users)).map((u) => [u.username, u.id]),
  );
  const at = (offsetMs: number) => new Date(Math.round((now.getTime() + offsetMs) / (15 * 60_000)) * 15 * 60_000);
  for (const username of ['sales1', 'sales2', 'zhengqiang']) {
    const ownerId = staff.get(username);
    if (!ownerId) continue;
    const mine = await db
      .select({ id: customers.id, name: customers.name })
      .from(customers)
      .where(eq(customers.ownerId, ownerId))
      .orderBy(asc(customers.name));
    if (mine.length === 0) continue;
    const c = (i: number) => mine[i % mine.length].id;
    const planned: { category: string; subject: string; dueAt: Date; customerId: string; assignee?: string }[] = [
      { category: 'call', subject: '电话确认年报审计资料清单', dueAt: at(-day - 2 * hour), customerId: c(0) },
      {
        category: 'visit',
        subject: '上门拜访财务总监，沟通审计计划',
        dueAt: at(2 * hour),
        customerId: c(1),
        assignee: username === 'sales1' ? 'zhengqiang' : undefined,
      },
      { category: 'email', subject: '发送验资业务报价单', dueAt: at(4 * hour), customerId: c(2) },
      { category: 'meeting', subject: '审计进场协调会', dueAt: at(2 * day + hour), customerId: c(0) },
      { category: 'quote', subject: '提交税务鉴证服务报价', dueAt: at(4 * day), customerId: c(3) },
    ];
    for (const p of planned) {
      const [row] = await db
        .insert(activities)
        .values({
          category: p.category,
          subject: p.subject,
          status: 'planned',
          dueAt: p.dueAt,
          ownerId,
          customerId: p.customerId,
          createdBy: ownerId,
        })
        .returning({ id: activities.id });
      if (p.assignee && staff.get(p.assignee))
        await db.insert(activityAssignees).values({ activityId: row.id, userId: staff.get(p.assignee)! });
      await syncActivityReminders(tx, row.id);
    }
    const done: { category: string; subject: string; doneAt: Date; notes: string }[] = [
      { category: 'call', subject: '回访上年度审计满意度', doneAt: at(-3 * day), notes: '客户满意，愿意续签' },
      { category: 'materials', subject: '寄送税收优惠政策解读', doneAt: at(-5 * day), notes: '已快递' },
      {
        category: 'visit',
        subject: '走访了解新年度业务需求',
        doneAt: at(-6 * day - 3 * hour),
        notes: '有资产评估需求，下周报价',
      },
    ];
    for (const [i, d] of done.entries()) {
      await db.insert(activities).values({
        category: d.category,
        subject: d.subject,
        notes: d.notes,
        status: 'done',
        doneAt: d.doneAt,
        dueAt: d.doneAt,
        ownerId,
        customerId: c(i + 1),
        createdBy: ownerId,
      });
    }
    // Two customers went quiet (last contact over two months ago): the rule suggests a follow-up.
    for (const [i, quiet] of mine.slice(-2).entries()) {
      const since = new Date(now.getTime() - (70 + 15 * i) * day);
      await db.update(customers).set({ lastContactAt: since, nextContactOn: null }).where(eq(customers.id, quiet.id));
    }
  }
  // Next-contact reminders for every owned customer with a date (those due today or earlier go off at once).
  const planned = await db
    .select({ id: customers.id })
    .from(customers)
    .where(and(isNotNull(customers.ownerId), isNotNull(customers.nextContactOn)));
  for (const { id } of planned) await syncNextContactReminder(tx, id);
  await raiseInactiveSuggestions(tx, { now });
}
