import type { ComponentType } from 'react';

/**
 * chat-web's `ConversationView` ({conversationId, compact?}) embedded in a record's discussion, loaded on demand.
 * MERGE: web/features/chat/ConversationView is on another branch; once merged replace the line below with
 *   export const ConversationView: EmbeddedConversation | null = lazy(() => import('../chat/ConversationView').then((m) => ({ default: m.ConversationView })));
 * (and `import { lazy } from 'react'`). Until then the discussion drawer offers "open in chat" only.
 */
export type EmbeddedConversation = ComponentType<{ conversationId: string; compact?: boolean }>;
export const ConversationView: EmbeddedConversation | null = null;
