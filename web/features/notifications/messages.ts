/**
 * UI strings of this feature: zh-CN is the source, en-US must translate every key
 * (the typecheck fails otherwise). web/i18n/messages.ts merges every feature's strings into one dictionary.
 */
export const zhCN = {
  'bell.title': '通知',
  'bell.readAll': '全部标为已读',
  'bell.empty': '没有通知',
  'bell.unread': '{count} 条未读',
  'bell.open': '打开通知',
} as const;

export const enUS: Record<keyof typeof zhCN, string> = {
  'bell.title': 'Notifications',
  'bell.readAll': 'Mark all read',
  'bell.empty': 'No notifications',
  'bell.unread': '{count} unread',
  'bell.open': 'Open notifications',
};
