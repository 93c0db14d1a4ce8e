import { eq, inArray } from 'drizzle-orm';
import type { CpeKind, Degree, QualificationKind, TitleLevel } from '../../common/schemas/people';
import type { JobsTx } from '../context';
import { today } from '../domains/contracts/contracts.service';
import { cpeEntries, personProfiles, qualifications } from '../domains/people/people.tables';
import { remindExpiringQualifications } from '../domains/people/qualification-reminders';
import { users } from '../domains/staff/staff.tables';
import { addDays } from '../lib/time';

/**
 * The demo firm's people records 人员档案: titles and education for some, a CPA certificate for every practising CPA
 * (周杰's expires within 30 days, so the expiry reminder shows at once), 资产评估师 in 评估部, 造价工程师 in 工程造价部, a
 * 税务师 in 税务部, and this year's continuing education — everyone with a CPA certificate has their 40 hours but
 * 周杰, who is 16 short.
 */

type Certificate = { kind: QualificationKind; no: string; issuedOn: string; expiresIn: number | null; name?: string };
type Profile = { titleLevel: TitleLevel; titleName: string; degree: Degree; school: string; major: string };

const PROFILES: Record<string, Profile> = {
  exec: { titleLevel: 'senior', titleName: '高级会计师', degree: 'master', school: '西安交通大学', major: '会计学' },
  manager: { titleLevel: 'senior', titleName: '高级会计师', degree: 'bachelor', school: '西北大学', major: '会计学' },
  zhoujie: {
    titleLevel: 'intermediate',
    titleName: '中级会计师',
    degree: 'bachelor',
    school: '西安财经大学',
    major: '审计学',
  },
  wufang: {
    titleLevel: 'junior',
    titleName: '助理会计师',
    degree: 'bachelor',
    school: '西安财经大学',
    major: '财务管理',
  },
  hejun: { titleLevel: 'senior', titleName: '高级经济师', degree: 'master', school: '中央财经大学', major: '资产评估' },
  liangyu: {
    titleLevel: 'intermediate',
    titleName: '工程师',
    degree: 'bachelor',
    school: '长安大学',
    major: '工程造价',
  },
};

/** Certificates besides the CPAs' (which every practising CPA gets). */
const CERTIFICATES: Record<string, Certificate[]> = {
  hejun: [{ kind: 'asset-appraiser', no: '61000123', issuedOn: '2014-09-20', expiresIn: 700 }],
  linna: [{ kind: 'asset-appraiser', no: '61000456', issuedOn: '2019-09-18', expiresIn: 400 }],
  liangyu: [{ kind: 'cost-engineer', no: '建[造]13610001234', issuedOn: '2013-11-02', expiresIn: 540 }],
  gaofeng: [{ kind: 'cost-engineer', no: '建[造]11610005678', issuedOn: '2011-10-15', expiresIn: 300 }],
  fengyi: [{ kind: 'tax-agent', no: '31201500088', issuedOn: '2015-08-01', expiresIn: null }],
  wufang: [
    { kind: 'other', name: '初级会计专业技术资格', no: 'CJ2021610012', issuedOn: '2021-06-30', expiresIn: null },
  ],
};

/** Continuing education this year: [course, hours, kind]; the dates are spread over the year so far. */
const FULL_YEAR: [string, string, CpeKind][] = [
  ['企业会计准则解释第 17 号解读', '8', 'online'],
  ['审计准则与质量管理准则', '16', 'classroom'],
  ['数据分析在审计中的应用', '8', 'online'],
  ['职业道德与独立性', '8', 'internal'],
];
const SHORT_YEAR: [string, string, CpeKind][] = [
  ['企业会计准则解释第 17 号解读', '8', 'online'],
  ['职业道德与独立性', '8', 'internal'],
  ['数据分析在审计中的应用', '8', 'online'],
];

export async function seedDemoPeople(tx: JobsTx): Promise<void> {
  const db = tx.db;
  const day = today();
  const yearStart = `${day.slice(0, 4)}-01-01`;
  /** n days ago, but within this year. */
  const ago = (n: number) => {
    const d = addDays(day, -n);
    return d < yearStart ? yearStart : d;
  };
  const people = await db
    .select({ id: users.id, username: users.username, cpa: users.isPracticingCpa })
    .from(users)
    .where(inArray(users.username, [...new Set([...Object.keys(PROFILES), ...Object.keys(CERTIFICATES)])]));
  const cpas = await db
    .select({ id: users.id, username: users.username })
    .from(users)
    .where(eq(users.isPracticingCpa, true));
  const byName = new Map([...people, ...cpas].map((p) => [p.username, p.id]));

  await db.insert(personProfiles).values(
    Object.entries(PROFILES)
      .filter(([username]) => byName.has(username))
      .map(([username, p]) => ({ userId: byName.get(username)!, ...p })),
  );

  const rows: (typeof qualifications.$inferInsert)[] = [];
  for (const [i, cpa] of cpas.entries()) {
    rows.push({
      userId: cpa.id,
      kind: 'cpa',
      certificateNo: `6100${String(20010 + i * 37).padStart(8, '0')}`,
      issuedOn: `${2008 + (i % 10)}-0${1 + (i % 9)}-15`,
      // 周杰's falls due within the reminder window; the others' over the next years.
      expiresOn: cpa.username === 'zhoujie' ? addDays(day, 20) : addDays(day, 365 + 90 * i),
    });
  }
  for (const [username, certificates] of Object.entries(CERTIFICATES)) {
    const userId = byName.get(username);
    if (!userId) continue;
    for (const c of certificates)
      rows.push({
        userId,
        kind: c.kind,
        name: c.name ?? null,
        certificateNo: c.no,
        issuedOn: c.issuedOn,
        expiresOn: c.expiresIn === null ? null : addDays(day, c.expiresIn),
      });
  }
  if (rows.length) await db.insert(qualifications).values(rows);

  const entries: (typeof cpeEntries.$inferInsert)[] = [];
  for (const cpa of cpas) {
    const courses = cpa.username === 'zhoujie' ? SHORT_YEAR : FULL_YEAR;
    courses.forEach(([course, hours, kind], i) =>
      entries.push({ userId: cpa.id, takenOn: ago(20 + 45 * i), course, hours, kind }),
    );
  }
  if (entries.length) await db.insert(cpeEntries).values(entries);

  // The expiry reminder the daily job would send: 周杰 and the administrators hear of it now.
  await remindExpiringQualifications(tx);
}
