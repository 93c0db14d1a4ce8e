import { z } from 'zod';
import { DateOnly, Id, listQuery, optionalText, text } from './common';
import { Hours, QUALIFICATIONS } from './engagements';

/**
 * People records 人员档案 (server/domains/people): light HR on the staff record — the professional title 职称,
 * education, the weekly capacity, qualifications and certificates 执业资格/证书 with their expiry, and continuing
 * education 继续教育 (CPE) hours per year against the hours the person's qualifications require. Hours are exact
 * decimal strings in quarter hours.
 */

/** 高级 / 中级 / 初级职称, or none. */
export const TITLE_LEVELS = ['senior', 'intermediate', 'junior', 'none'] as const;
export type TitleLevel = (typeof TITLE_LEVELS)[number];

/** Highest degree: 博士, 硕士, 本科, 大专, other. */
export const DEGREES = ['doctorate', 'master', 'bachelor', 'associate', 'other'] as const;
export type Degree = (typeof DEGREES)[number];

/** What a person may hold: the qualifications a phase may need, or another certificate named by hand. */
export const QUALIFICATION_KINDS = [...QUALIFICATIONS, 'other'] as const;
export type QualificationKind = (typeof QUALIFICATION_KINDS)[number];

/** 面授, 网络, 内部培训, other. */
export const CPE_KINDS = ['classroom', 'online', 'internal', 'other'] as const;
export type CpeKind = (typeof CPE_KINDS)[number];

/** The holder (and the administrators) are told this many days before a qualification expires. */
export const QUALIFICATION_REMINDER_DAYS = 30;

/** CPE hours a year a holder of the kind needs, until an administrator sets them (注册会计师: 40). */
export const DEFAULT_CPE_REQUIREMENTS: Partial<Record<QualificationKind, string>> = { cpa: '40' };

/** Quarter hours within (0, max]; one error only (not in quarter hours: the Hours message alone). */
const hoursUpTo = (max: number, message: string) =>
  Hours.refine((v) => !/^\d+(\.\d+)?$/.test(v.trim()) || (Number(v) > 0 && Number(v) <= max), { message });
/** A weekly capacity: quarter hours, more than 0 and at most 168. */
export const Capacity = hoursUpTo(168, 'validation.capacity');
/** Hours of one CPE entry: quarter hours, more than 0 and at most 24. */
export const CpeHours = hoursUpTo(24, 'validation.cpeHours');
/** Hours a year a qualification requires: quarter hours, 0–9999.75. */
export const RequiredHours = Hours;

/** valid; expiring within QUALIFICATION_REMINDER_DAYS; expired (the day after its expiry date). */
export const QUALIFICATION_STATES = ['valid', 'expiring', 'expired'] as const;
export type QualificationState = (typeof QUALIFICATION_STATES)[number];

export const PersonProfile = z.object({
  userId: Id,
  name: z.string(),
  departmentName: z.string().nullable(),
  titleLevel: z.enum(TITLE_LEVELS),
  titleName: z.string().nullable(),
  degree: z.enum(DEGREES).nullable(),
  school: z.string().nullable(),
  major: z.string().nullable(),
  /** Hours a week (40 unless set). */
  weeklyCapacity: z.string(),
  /** Practising CPA 执业注册会计师: the staff record's flag (the one truth). */
  practising: z.boolean(),
});
export type PersonProfile = z.infer<typeof PersonProfile>;

export const PersonProfileInput = z.strictObject({
  titleLevel: z.enum(TITLE_LEVELS),
  titleName: optionalText(100),
  degree: z.enum(DEGREES).nullable().optional(),
  school: optionalText(100),
  major: optionalText(100),
  weeklyCapacity: Capacity.optional(),
});
export type PersonProfileInput = z.input<typeof PersonProfileInput>;

export const Qualification = z.object({
  id: Id,
  userId: Id,
  kind: z.enum(QUALIFICATION_KINDS),
  /** The certificate's name for `other`; null otherwise. */
  name: z.string().nullable(),
  certificateNo: z.string(),
  issuedOn: z.string().nullable(),
  expiresOn: z.string().nullable(),
  /** For a CPA: practising 执业 — the staff record's flag (users.is_practicing_cpa), the one truth; null otherwise. */
  practising: z.boolean().nullable(),
  state: z.enum(QUALIFICATION_STATES),
});
export type Qualification = z.infer<typeof Qualification>;

export const QualificationInput = z.strictObject({
  kind: z.enum(QUALIFICATION_KINDS),
  /** Required for `other`. */
  name: optionalText(100),
  certificateNo: text(60),
  issuedOn: DateOnly.nullable().optional(),
  expiresOn: DateOnly.nullable().optional(),
  /** CPA only: sets the staff record's practising flag. */
  practising: z.boolean().optional(),
});
export type QualificationInput = z.input<typeof QualificationInput>;

export const CpeEntry = z.object({
  id: Id,
  userId: Id,
  takenOn: z.string(),
  course: z.string(),
  hours: z.string(),
  kind: z.enum(CPE_KINDS),
});
export type CpeEntry = z.infer<typeof CpeEntry>;

export const CpeEntryInput = z.strictObject({
  takenOn: DateOnly,
  course: text(200),
  hours: CpeHours,
  kind: z.enum(CPE_KINDS),
});
export type CpeEntryInput = z.input<typeof CpeEntryInput>;

/** A person's CPE year: the hours taken, the hours required (the most any valid qualification they hold needs). */
export const CpeYear = z.object({
  year: z.int(),
  hours: z.string(),
  required: z.string(),
  /** Hours still missing (0 when none). */
  short: z.string(),
  entries: z.array(CpeEntry),
});
export type CpeYear = z.infer<typeof CpeYear>;

export const YearQuery = z.strictObject({ year: z.coerce.number().int().min(2000).max(2100).optional() });

/** A person's record: profile, qualifications (expiring first), the CPE year. */
export const PersonRecord = z.object({
  profile: PersonProfile,
  qualifications: z.array(Qualification),
  cpe: CpeYear,
  /** The reader may change the profile and qualifications (administrators). */
  canManage: z.boolean(),
  /** The reader may add and remove CPE entries (the person, administrators). */
  canEditCpe: z.boolean(),
});
export type PersonRecord = z.infer<typeof PersonRecord>;

export const CpeRequirement = z.object({ kind: z.enum(QUALIFICATION_KINDS), hours: z.string() });
export type CpeRequirement = z.infer<typeof CpeRequirement>;
export const CpeRequirements = z.object({ items: z.array(CpeRequirement) });
export const CpeRequirementsInput = z.strictObject({
  items: z.array(z.strictObject({ kind: z.enum(QUALIFICATION_KINDS), hours: RequiredHours })).max(10),
});

/** 继续教育: who is short of CPE hours in a year (people the reader may see), most missing first. */
export const CpeShortfallQuery = listQuery(['name', 'short'] as const, {
  year: z.coerce.number().int().min(2000).max(2100).optional(),
  departmentId: Id.optional(),
});
export type CpeShortfallQuery = z.infer<typeof CpeShortfallQuery>;
export const CpeShortfallRow = z.object({
  userId: Id,
  name: z.string(),
  departmentName: z.string().nullable(),
  required: z.string(),
  hours: z.string(),
  short: z.string(),
});
export type CpeShortfallRow = z.infer<typeof CpeShortfallRow>;
