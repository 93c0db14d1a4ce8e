-- Installs created before the customers module get its permissions on their built-in roles
-- (new installs get them from server/seed/bootstrap.ts, which runs after the migrations).
UPDATE "roles" SET "grants" = "grants" || '{"customers:read":"all","customers:write":"all","customers:assign":"all"}'::jsonb WHERE "code" = 'admin' AND "builtin";
--> statement-breakpoint
UPDATE "roles" SET "grants" = "grants" || '{"customers:read":"all","customers:write":"all","customers:pool":"all","customers:assign":"all"}'::jsonb WHERE "code" = 'executive' AND "builtin";
--> statement-breakpoint
UPDATE "roles" SET "grants" = "grants" || '{"customers:read":"department","customers:write":"department","customers:pool":"all","customers:assign":"department"}'::jsonb WHERE "code" = 'manager' AND "builtin";
--> statement-breakpoint
UPDATE "roles" SET "grants" = "grants" || '{"customers:read":"own","customers:write":"own","customers:pool":"all"}'::jsonb WHERE "code" = 'salesperson' AND "builtin";
--> statement-breakpoint
UPDATE "roles" SET "grants" = "grants" || '{"customers:read":"all"}'::jsonb WHERE "code" = 'finance' AND "builtin";
--> statement-breakpoint
UPDATE "roles" SET "grants" = "grants" || '{"customers:read":"own"}'::jsonb WHERE "code" = 'staff' AND "builtin";
