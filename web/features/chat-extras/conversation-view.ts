import { lazy } from 'react';

/** The chat's conversation ({conversationId, compact}) embedded in a record's discussion, loaded when opened. */
export const ConversationView = lazy(() =>
  import('../chat/ConversationView').then((m) => ({ default: m.ConversationView })),
);
