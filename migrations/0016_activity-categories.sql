CREATE TABLE "activity_categories" (
	"code" text PRIMARY KEY NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"name_zh" text NOT NULL,
	"name_en" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"position" integer DEFAULT 100 NOT NULL,
	"builtin" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "activity_categories_id_unique" UNIQUE("id")
);
--> statement-breakpoint
INSERT INTO "activity_categories" ("code", "name_zh", "name_en", "position", "builtin") VALUES
  ('call', '电话沟通', 'Call', 10, true),
  ('visit', '上门拜访', 'Visit', 20, true),
  ('email', '邮件', 'E-mail', 30, true),
  ('meeting', '会议', 'Meeting', 40, true),
  ('proposal', '提供方案', 'Proposal', 50, true),
  ('discussion', '方案讨论', 'Solution discussion', 60, true),
  ('materials', '寄送资料', 'Materials sent', 70, true),
  ('question', '问题答复', 'Question answered', 80, true),
  ('quote', '商务报价', 'Quote', 90, true),
  ('negotiation', '合同谈判', 'Negotiation', 100, true),
  ('other', '其他', 'Other', 110, true)
ON CONFLICT ("code") DO NOTHING;
