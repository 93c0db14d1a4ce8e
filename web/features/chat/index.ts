/** What other parts of the web app use of the chat: the conversation view (record pages embed it) and its API. */
export { chatApi, linksParam } from './api';
export { ConversationView } from './ConversationView';
export { ChatUnreadBadge, useChatUnread } from './ChatUnreadBadge';
export { LinkCard } from './MessageItem';
