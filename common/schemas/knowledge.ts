/**
 * The knowledge base 知识库 (issue 17): what an article is, who sees it, what it links to.
 * The record, request and list schemas are added beside these as the API grows.
 */

/**
 * Kinds of article: 经验 experience, 案例 case, 模板 template, 制度 policy, 问答 Q&A, 客户洞察 customer insight, and
 * 复盘 lesson — written when an opportunity is won or lost, linked to its customer, business line and stage.
 */
export const KNOWLEDGE_KINDS = ['experience', 'case', 'template', 'policy', 'qa', 'insight', 'lesson'] as const;
export type KnowledgeKind = (typeof KNOWLEDGE_KINDS)[number];

/**
 * Who reads an article (besides its owner and author, and readers with knowledge:read all):
 * firm — everyone with knowledge:read; department — the people of that department and below it;
 * linked — the people who can see one of the records it links to (a customer, an opportunity, an engagement).
 */
export const KNOWLEDGE_VISIBILITIES = ['firm', 'department', 'linked'] as const;
export type KnowledgeVisibility = (typeof KNOWLEDGE_VISIBILITIES)[number];

/** What an article links to. A link to a record the reader cannot see is shown as "not available", untitled. */
export const KNOWLEDGE_LINK_TYPES = ['customer', 'opportunity', 'engagement', 'article'] as const;
export type KnowledgeLinkType = (typeof KNOWLEDGE_LINK_TYPES)[number];

/** What a template 模板 is for: the screen that offers it. */
export const TEMPLATE_USES = ['proposal', 'engagement-letter', 'email', 'other'] as const;
export type TemplateUse = (typeof TEMPLATE_USES)[number];
