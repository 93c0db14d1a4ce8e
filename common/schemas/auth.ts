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
