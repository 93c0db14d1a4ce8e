-- Installs created before the e-mail outbox give its permission to the built-in administrator role (as common/permissions.ts does for new ones).
UPDATE "roles" SET "grants" = "grants" || '{"mail:manage":"all"}'::jsonb WHERE "code" = 'admin' AND "builtin";
