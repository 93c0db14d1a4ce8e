import { z } from 'zod';

export const Id = z.uuid();
export const IdParams = z.strictObject({ id: Id });

/**
 * Control characters other than tab/newline are never accepted in text fields, nor anywhere in a
 * query string or a path parameter (server/plugins/query-strings.ts).
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** A trimmed single-line or multi-line text field with a length limit. */
export function text(max: number, min = 1) {
  return z
    .string()
    .trim()
    .min(min)
    .max(max)
    .refine((value) => !CONTROL_CHARS.test(value), { message: 'validation.noControlChars' });
}

/** An optional text field where an empty string means "clear it" (stored as null). */
export function optionalText(max: number) {
  return z.union([text(max), z.literal('').transform(() => null), z.null()]).optional();
}

export const Email = z.email().max(200);
export const Phone = z
  .string()
  .trim()
  .regex(/^[0-9+\-() ]{3,30}$/, { message: 'validation.invalid' });
export const Timestamp = z.string().describe('ISO 8601 date-time');

/**
 * An amount of money in CNY as an exact decimal string ("12500", "12500.5", "12500.50"): never a
 * float. Up to 12 integer digits and 2 decimals; answers always carry two decimals.
 */
export const Money = z
  .string()
  .trim()
  .regex(/^(0|[1-9]\d{0,11})(\.\d{1,2})?$/, { message: 'validation.money' });
/** A calendar date, YYYY-MM-DD. */
export const DateOnly = z.iso.date();
/** A whole percentage 0–100. */
export const Percent = z.int().min(0).max(100);

export const SortOrder = z.int().min(0).max(100000);

/** `?active=true|false|all` — list filter for records that can be deactivated. */
export const ActiveFilter = z.enum(['true', 'false', 'all']).default('true');

/**
 * Query string of every list endpoint: `q`, `page` (from 1), `pageSize` (max 100) and
 * `sort` (a field, `-field` for descending) from an allow-list.
 */
export function listQuery<const K extends string, S extends z.ZodRawShape = Record<never, never>>(
  sortKeys: readonly [K, ...K[]],
  filters: S = {} as S,
) {
  const sorts = [...sortKeys, ...sortKeys.map((k) => `-${k}` as const)] as [K | `-${K}`, ...(K | `-${K}`)[]];
  return z.strictObject({
    q: z.string().trim().max(100).optional(),
    page: z.coerce.number().int().min(1).max(100000).default(1),
    pageSize: z.coerce.number().int().min(1).max(100).default(20),
    sort: z.enum(sorts).optional(),
    ...filters,
  });
}

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.int(),
    /** false: `total` is a lower bound — the list stopped counting there (large lists; shown as "10,000+"). */
    totalExact: z.boolean().optional(),
    page: z.int(),
    pageSize: z.int(),
  });
}
export type Page<T> = { items: T[]; total: number; totalExact?: boolean; page: number; pageSize: number };

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const Ok = z.object({ ok: z.literal(true) });
