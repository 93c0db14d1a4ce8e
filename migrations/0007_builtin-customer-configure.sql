-- Installs created before the value evaluation sheet give its permission to the built-in administrator.
UPDATE "roles" SET "grants" = "grants" || '{"customers:configure":"all"}'::jsonb WHERE "code" = 'admin' AND "builtin";
