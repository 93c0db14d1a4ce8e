import { z } from 'zod';
import { LOCALES } from '../i18n';
import { PERMISSION_KEYS, SCOPES, type Permission } from '../permissions';
import { Id, Timestamp, listQuery, text } from './common';
import { Password, User } from './staff';

export const LoginBody = z.strictObject({
  username: z.string().trim().toLowerCase().min(1).max(64),
  password: z.string().min(1).max(128),
});

export const Me = z.object({
  user: User,
  grants: z.partialRecord(z.enum(PERMISSION_KEYS as [Permission, ...Permission[]]), z.enum(SCOPES)),
  /** Send back as the `x-csrf-token` header on every cookie-authenticated write. */
  csrfToken: z.string().nullable(),
});
export type Me = z.infer<typeof Me>;

export const UpdateMe = z.strictObject({
  locale: z.enum(LOCALES).optional(),
  displayName: text(50).optional(),
});

export const ChangePassword = z.strictObject({
  currentPassword: z.string().min(1).max(128),
  newPassword: Password,
  /** Keep my API tokens working (by default a password change revokes them, as it ends other sessions). */
  keepApiTokens: z.boolean().default(false),
});

/** What a token may do: `read-only` tokens are refused (403 API_TOKEN_READ_ONLY) on every method but GET, HEAD and OPTIONS. */
export const API_TOKEN_SCOPES = ['read-only', 'read-write'] as const;
export const ApiTokenScope = z.enum(API_TOKEN_SCOPES);
export type ApiTokenScope = z.infer<typeof ApiTokenScope>;
export const API_TOKEN_STATUSES = ['active', 'expired', 'revoked'] as const;
export const ApiTokenStatus = z.enum(API_TOKEN_STATUSES);
export type ApiTokenStatus = z.infer<typeof ApiTokenStatus>;

export const ApiToken = z.object({
  id: Id,
  name: z.string(),
  prefix: z.string(),
  scope: ApiTokenScope,
  status: ApiTokenStatus,
  createdAt: Timestamp,
  /** Updated at most once a minute. */
  lastUsedAt: Timestamp.nullable(),
  expiresAt: Timestamp.nullable(),
  revokedAt: Timestamp.nullable(),
});
export type ApiToken = z.infer<typeof ApiToken>;
export const ApiTokenCreate = z.strictObject({
  name: text(50),
  /** Read-only unless asked for more. */
  scope: ApiTokenScope.default('read-only'),
  expiresInDays: z.int().min(1).max(3650).nullable().optional(),
});
export const ApiTokenCreated = ApiToken.extend({ token: z.string() });

/** Every user's tokens, for administrators. */
export const AdminApiToken = ApiToken.extend({
  userId: Id,
  username: z.string(),
  userDisplayName: z.string(),
});
export type AdminApiToken = z.infer<typeof AdminApiToken>;
export const AdminApiTokenListQuery = listQuery(['createdAt', 'lastUsedAt', 'expiresAt', 'username'], {
  userId: Id.optional(),
  status: z.enum([...API_TOKEN_STATUSES, 'all']).default('active'),
  scope: ApiTokenScope.optional(),
});
export type AdminApiTokenListQuery = z.infer<typeof AdminApiTokenListQuery>;

// ---------- two-factor sign-in (TOTP) ----------

/** Six digits from an authenticator app (spaces typed between groups are dropped). */
export const TotpCode = z
  .string()
  .transform((value) => value.replace(/\s+/g, ''))
  .pipe(z.string().regex(/^\d{6}$/, { message: 'validation.totpCode' }));
/** A recovery code as shown (`xxxxx-xxxxx`); case, spaces and dashes do not matter. */
export const RecoveryCode = z
  .string()
  .max(40)
  .transform((value) => value.toLowerCase().replace(/[\s-]+/g, ''))
  .pipe(z.string().regex(/^[0-9a-f]{10}$/, { message: 'validation.recoveryCode' }));

/** What a new authenticator needs: the secret to type, the otpauth:// URI and its QR code (SVG). */
export const TwoFactorEnrolment = z.object({ secret: z.string(), otpauthUri: z.string(), qrSvg: z.string() });
export type TwoFactorEnrolment = z.infer<typeof TwoFactorEnrolment>;

/**
 * The sign-in's answer when the password was right but a second factor is owed: no session yet, only a
 * challenge (good for minutes and five wrong codes) to send to /auth/login/two-factor with a code.
 */
export const TwoFactorNeeded = z.discriminatedUnion('twoFactor', [
  z.object({ twoFactor: z.literal('code'), challenge: z.string() }),
  /** The role requires two-factor sign-in and the person has not enrolled: enrol now, with this secret. */
  z.object({ twoFactor: z.literal('enrol'), challenge: z.string(), ...TwoFactorEnrolment.shape }),
]);
export type TwoFactorNeeded = z.infer<typeof TwoFactorNeeded>;
export const LoginAnswer = z.union([Me, TwoFactorNeeded]);
export type LoginAnswer = z.infer<typeof LoginAnswer>;

/** Finishes a half-done sign-in with a code from the app, or (not when enrolling) a recovery code. */
const Challenge = z.string().regex(/^[\w-]{20,100}$/);
export const TwoFactorLoginBody = z.union([
  z.strictObject({ challenge: Challenge, code: TotpCode }),
  z.strictObject({ challenge: Challenge, recoveryCode: RecoveryCode }),
]);
/** Ten single-use recovery codes, shown once. */
export const RecoveryCodes = z.object({ recoveryCodes: z.array(z.string()) });
export const TwoFactorLoginAnswer = Me.extend({ recoveryCodes: z.array(z.string()).optional() });
export type TwoFactorLoginAnswer = z.infer<typeof TwoFactorLoginAnswer>;

export const TwoFactorStatus = z.object({
  enabled: z.boolean(),
  enabledAt: Timestamp.nullable(),
  /** The person's role requires it: it cannot be turned off. */
  required: z.boolean(),
  recoveryCodesLeft: z.int(),
});
export type TwoFactorStatus = z.infer<typeof TwoFactorStatus>;
export const TwoFactorCodeBody = z.strictObject({ code: TotpCode });
