import { count, eq } from 'drizzle-orm';
import type { StaffCategory } from '../../common/schemas/staff';
import type { Db } from '../db/client';
import type { Jobs } from '../jobs/engine';
import { hashPassword } from '../domains/auth/passwords';
import { branches, businessLines, departments, regions, users } from '../domains/staff/staff.tables';
import { seedDemoApprovals } from './demo-approvals';
import { seedDemoChat } from './demo-chat';
import { seedDemoCommissions } from './demo-commissions';
import { seedDemoContractTemplates } from './demo-contracts';
import { seedDemoEngagements, seedEngagementTemplates } from './demo-engagements';
import { seedDemoHistory } from './demo-history';
import { seedDemoKnowledge } from './demo-knowledge';
import { seedDemoLessons } from './demo-lessons';
import { seedDemoPeople } from './demo-people';
import { seedDemoPlaybooks } from './demo-playbooks';
import { seedDemoRenewals } from './demo-renewals';
import { seedDemoRevenue } from './demo-revenue';
import { seedDemoReview } from './demo-review';
import { seedDemoSales } from './demo-sales';
import { seedDemoCustomers } from './demo-customers';
import { seedDemoToday } from './demo-today';
import { seedDepartment, seedReference, seedUser } from './seeders';

export const DEMO_PASSWORD = 'demo-2026';

const BRANCHES = ['北京', '上海', '西安'];
const REGIONS = ['华北', '华东', '西北', '华南', '华中', '西南', '东北'];
const BUSINESS_LINES: [string, string][] = [
  ['审计', 'SJ'],
  ['验资', 'YZ'],
  ['资产评估', 'PG'],
  ['工程预结算审价', 'GC'],
  ['招投标代理', 'ZB'],
  ['税务咨询', 'SW'],
  ['代理记账', 'DZ'],
  ['工程咨询', 'ZX'],
];
/** [name, parent] — the parent is listed before its children. */
const DEPARTMENTS: [string, string | null][] = [
  ['合伙人办公室', null],
  ['审计业务部', null],
  ['审计一部', '审计业务部'],
  ['审计二部', '审计业务部'],
  ['评估部', null],
  ['工程造价部', null],
  ['招投标代理部', '工程造价部'],
  ['税务部', null],
  ['代理记账部', null],
  ['财务部', null],
  ['综合管理部', null],
  ['信息技术组', '综合管理部'],
];

type DemoUser = {
  username: string;
  name: string;
  role: string;
  dept: string;
  branch: string;
  region: string;
  lines: string[];
  category: StaffCategory;
  cpa?: boolean;
  managerOf?: string;
};

/** The demo accounts the README lists come first; all use the password `demo-2026`. */
const STAFF: DemoUser[] = [
  {
    username: 'admin',
    name: '系统管理员',
    role: 'admin',
    dept: '信息技术组',
    branch: '西安',
    region: '西北',
    lines: [],
    category: 'backoffice',
  },
  {
    username: 'exec',
    name: '陈志远',
    role: 'executive',
    dept: '合伙人办公室',
    branch: '西安',
    region: '西北',
    lines: ['SJ', 'YZ', 'PG'],
    category: 'management',
    cpa: true,
  },
  {
    username: 'manager',
    name: '王建国',
    role: 'manager',
    dept: '审计一部',
    branch: '西安',
    region: '西北',
    lines: ['SJ', 'YZ'],
    category: 'management',
    cpa: true,
    managerOf: '审计一部',
  },
  {
    username: 'sales1',
    name: '李明',
    role: 'salesperson',
    dept: '审计一部',
    branch: '西安',
    region: '西北',
    lines: ['SJ', 'YZ'],
    category: 'frontline',
    cpa: true,
  },
  {
    username: 'sales2',
    name: '张丽',
    role: 'salesperson',
    dept: '税务部',
    branch: '上海',
    region: '华东',
    lines: ['SW', 'DZ'],
    category: 'frontline',
  },
  {
    username: 'finance',
    name: '赵敏',
    role: 'finance',
    dept: '财务部',
    branch: '西安',
    region: '西北',
    lines: [],
    category: 'backoffice',
  },
  {
    username: 'partner2',
    name: '刘德华',
    role: 'executive',
    dept: '合伙人办公室',
    branch: '北京',
    region: '华北',
    lines: ['PG', 'GC'],
    category: 'management',
    cpa: true,
  },
  {
    username: 'zhoujie',
    name: '周杰',
    role: 'staff',
    dept: '审计一部',
    branch: '西安',
    region: '西北',
    lines: ['SJ'],
    category: 'frontline',
    cpa: true,
  },
  {
    username: 'wufang',
    name: '吴芳',
    role: 'staff',
    dept: '审计一部',
    branch: '西安',
    region: '西北',
    lines: ['SJ'],
    category: 'frontline',
  },
  {
    username: 'zhengqiang',
    name: '郑强',
    role: 'salesperson',
    dept: '审计一部',
    branch: '西安',
    region: '西北',
    lines: ['SJ', 'YZ'],
    category: 'frontline',
  },
  {
    username: 'sunli',
    name: '孙丽',
    role: 'manager',
    dept: '审计二部',
    branch: '北京',
    region: '华北',
    lines: ['SJ', 'YZ'],
    category: 'management',
    cpa: true,
    managerOf: '审计二部',
  },
  {
    username: 'maqing',
    name: '马青',
    role: 'salesperson',
    dept: '审计二部',
    branch: '北京',
    region: '华北',
    lines: ['SJ'],
    category: 'frontline',
    cpa: true,
  },
  {
    username: 'hutao',
    name: '胡涛',
    role: 'staff',
    dept: '审计二部',
    branch: '北京',
    region: '华北',
    lines: ['SJ'],
    category: 'frontline',
  },
  {
    username: 'guoyan',
    name: '郭燕',
    role: 'staff',
    dept: '审计二部',
    branch: '北京',
    region: '华北',
    lines: ['SJ', 'YZ'],
    category: 'frontline',
  },
  {
    username: 'hejun',
    name: '何军',
    role: 'manager',
    dept: '评估部',
    branch: '北京',
    region: '华北',
    lines: ['PG'],
    category: 'management',
    managerOf: '评估部',
  },
  {
    username: 'linna',
    name: '林娜',
    role: 'salesperson',
    dept: '评估部',
    branch: '上海',
    region: '华东',
    lines: ['PG'],
    category: 'frontline',
  },
  {
    username: 'luobin',
    name: '罗斌',
    role: 'staff',
    dept: '评估部',
    branch: '北京',
    region: '华北',
    lines: ['PG'],
    category: 'frontline',
  },
  {
    username: 'gaofeng',
    name: '高峰',
    role: 'manager',
    dept: '工程造价部',
    branch: '西安',
    region: '西北',
    lines: ['GC', 'ZX'],
    category: 'management',
    managerOf: '工程造价部',
  },
  {
    username: 'liangyu',
    name: '梁宇',
    role: 'salesperson',
    dept: '工程造价部',
    branch: '西安',
    region: '西南',
    lines: ['GC'],
    category: 'frontline',
  },
  {
    username: 'songjia',
    name: '宋佳',
    role: 'staff',
    dept: '工程造价部',
    branch: '西安',
    region: '西北',
    lines: ['GC'],
    category: 'frontline',
  },
  {
    username: 'tanglei',
    name: '唐磊',
    role: 'manager',
    dept: '招投标代理部',
    branch: '西安',
    region: '西北',
    lines: ['ZB'],
    category: 'management',
    managerOf: '招投标代理部',
  },
  {
    username: 'hanxue',
    name: '韩雪',
    role: 'salesperson',
    dept: '招投标代理部',
    branch: '西安',
    region: '华中',
    lines: ['ZB'],
    category: 'frontline',
  },
  {
    username: 'fengyi',
    name: '冯毅',
    role: 'manager',
    dept: '税务部',
    branch: '上海',
    region: '华东',
    lines: ['SW'],
    category: 'management',
    cpa: true,
    managerOf: '税务部',
  },
  {
    username: 'caoyu',
    name: '曹雨',
    role: 'staff',
    dept: '税务部',
    branch: '上海',
    region: '华东',
    lines: ['SW'],
    category: 'frontline',
  },
  {
    username: 'dengchao',
    name: '邓超',
    role: 'salesperson',
    dept: '税务部',
    branch: '上海',
    region: '华南',
    lines: ['SW', 'DZ'],
    category: 'frontline',
  },
  {
    username: 'xujing',
    name: '许静',
    role: 'manager',
    dept: '代理记账部',
    branch: '上海',
    region: '华东',
    lines: ['DZ'],
    category: 'management',
    managerOf: '代理记账部',
  },
  {
    username: 'pengfei',
    name: '彭飞',
    role: 'staff',
    dept: '代理记账部',
    branch: '上海',
    region: '华东',
    lines: ['DZ'],
    category: 'frontline',
  },
  {
    username: 'yuanmei',
    name: '袁梅',
    role: 'staff',
    dept: '代理记账部',
    branch: '西安',
    region: '西北',
    lines: ['DZ'],
    category: 'frontline',
  },
  {
    username: 'jiangtao',
    name: '蒋涛',
    role: 'finance',
    dept: '财务部',
    branch: '上海',
    region: '华东',
    lines: [],
    category: 'backoffice',
  },
  {
    username: 'shenyue',
    name: '沈月',
    role: 'staff',
    dept: '综合管理部',
    branch: '西安',
    region: '西北',
    lines: [],
    category: 'backoffice',
  },
  {
    username: 'duqiang',
    name: '杜强',
    role: 'staff',
    dept: '综合管理部',
    branch: '北京',
    region: '华北',
    lines: [],
    category: 'backoffice',
  },
];

/** True when the database has no users yet (a fresh install). */
export async function isEmpty(db: Db): Promise<boolean> {
  const [{ n }] = await db.select({ n: count() }).from(users);
  return n === 0;
}

/** Loads the demo firm 某会计师事务所 into an empty database (reminders go on the job queue). */
export async function seedDemoFirm(db: Db, jobs: Jobs): Promise<void> {
  await db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    const branchIds = new Map<string, string>();
    for (const [i, name] of BRANCHES.entries())
      branchIds.set(name, (await seedReference(t, branches, { name, sortOrder: i })).id);
    const regionIds = new Map<string, string>();
    for (const [i, name] of REGIONS.entries())
      regionIds.set(name, (await seedReference(t, regions, { name, sortOrder: i })).id);
    const lineIds = new Map<string, string>();
    for (const [i, [name, code]] of BUSINESS_LINES.entries())
      lineIds.set(code, (await seedReference(t, businessLines, { name, code, sortOrder: i })).id);
    const deptIds = new Map<string, string>();
    for (const [i, [name, parent]] of DEPARTMENTS.entries()) {
      deptIds.set(
        name,
        (await seedDepartment(t, { name, parentId: parent ? deptIds.get(parent) : null, sortOrder: i })).id,
      );
    }
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    for (const [i, s] of STAFF.entries()) {
      const user = await seedUser(t, {
        username: s.username,
        displayName: s.name,
        password: DEMO_PASSWORD,
        passwordHash,
        roleCode: s.role,
        departmentId: deptIds.get(s.dept),
        branchId: branchIds.get(s.branch),
        regionId: regionIds.get(s.region),
        businessLineIds: s.lines.map((code) => lineIds.get(code)!),
        staffCategory: s.category,
        isPracticingCpa: s.cpa ?? false,
        email: `${s.username}@demo-cpa.cn`,
        phone: `1380291${String(1000 + i).padStart(4, '0')}`,
      });
      if (s.managerOf)
        await t
          .update(departments)
          .set({ managerId: user.id })
          .where(eq(departments.id, deptIds.get(s.managerOf)!));
    }
    // People records 人员档案 before engagements are staffed: the CPAs' certificates qualify them.
    await seedDemoPeople({ db: t, jobs });
    await seedDemoCustomers(t);
    await seedDemoSales(t);
    await seedDemoToday({ db: t, jobs });
    await seedDemoApprovals({ db: t, jobs });
    // Templates first: contracts record the version they are made from.
    await seedDemoContractTemplates({ db: t, jobs });
    // Engagement templates before any engagement is made from an order.
    await seedEngagementTemplates({ db: t, jobs });
    await seedDemoRevenue({ db: t, jobs });
    await seedDemoEngagements({ db: t, jobs });
    // The report series and the three-level review flow the engagements end with.
    await seedDemoReview({ db: t, jobs });
    // The commission policy and flow, last week's time approved, and last month's sheet of a contract.
    await seedDemoCommissions({ db: t, jobs });
    // Last year's and this year's leads, opportunities, contracts, orders and money: what the reports tell.
    await seedDemoHistory({ db: t, jobs });
    // The knowledge base 知识库: articles, Q&A, a policy, a case, three templates; some due for review.
    await seedDemoKnowledge({ db: t, jobs });
    // Lessons 复盘 on the won and lost deals, and customer insights 客户洞察 (issue 17).
    await seedDemoLessons({ db: t, jobs });
    // Chat 团队协作: a channel with a pinned notice, a deal's discussion, a group and a one-to-one (issue 18).
    await seedDemoChat({ db: t, jobs });
    // Renewals 续约 and cross-sell 交叉销售 (issue 19): recurring contracts, peers, then both jobs as of today.
    await seedDemoRenewals({ db: t, jobs });
    // Playbooks 销售指引 last: the demo's past moves schedule nothing; moves from now on do.
    await seedDemoPlaybooks(t);
  });
}
