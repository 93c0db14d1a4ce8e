import { z } from 'zod';
import { LOCALES } from '../i18n';
import { PERMISSION_KEYS, SCOPES, type Permission } from '../permissions';
import { Id, Timestamp, text } from './common';
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
});

export const ApiToken = z.object({
  id: Id,
  name: z.string(),
  prefix: z.string(),
  createdAt: Timestamp,
  lastUsedAt: Timestamp.nullable(),
  expiresAt: Timestamp.nullable(),
});
export type ApiToken = z.infer<typeof ApiToken>;
export const ApiTokenCreate = z.strictObject({
  name: text(50),
  expiresInDays: z.int().min(1).max(3650).nullable().optional(),
});
export const ApiTokenCreated = ApiToken.extend({ token: z.string() });
