/**
 * UI strings of this feature: zh-CN is the source, en-US must translate every key
 * (the typecheck fails otherwise). web/i18n/messages.ts merges every feature's strings into one dictionary.
 */
export const zhCN = {
  'calendar.workOrder': '工单',
  'calendar.workOrdersOnly': '{n, plural, other {这段时间没有活动，有 # 个工单到期（显示在到期日）}}',
  'calendar.title': '日程',
  'calendar.pageHint': '计划中的活动显示在到期时间，已完成的显示在完成时间（灰色、划线）；拖动计划中的活动即可改期。',
  'calendar.scope.mine': '我的',
  'calendar.scope.team': '团队',
  'calendar.view.month': '月',
  'calendar.view.week': '周',
  'calendar.view.day': '日',
  'calendar.today': '今天',
  'calendar.prev': '上一页',
  'calendar.next': '下一页',
  'calendar.summary': '计划中 {planned} 项 · 已完成 {done} 项 · 点击活动查看详情',
  'calendar.emptyMine':
    '这段时间没有您的活动。在客户、商机或线索上安排的活动会显示在这里；切换到「团队」可查看同事的日程。',
  'calendar.emptyTeam': '这段时间团队没有活动。',
  'calendar.rescheduled': '「{subject}」已改期到 {time}',
  'calendar.status.planned': '计划中',
  'calendar.status.done': '已完成',
  'calendar.plannedFor': '原定时间',
  'calendar.customer': '客户',
  'calendar.opportunity': '商机',
  'calendar.lead': '线索',
  'calendar.owner': '负责人',
  'calendar.assignees': '协作人',
  'calendar.subscribe': '订阅到日历',
  'calendar.feed.title': '订阅到 Outlook / Apple / Google 日历',
  'calendar.feed.hint':
    '生成一个订阅地址，在常用的日历应用中订阅后，您负责和参与的活动（过去 90 天到未来一年）会自动出现在其中，并由日历应用定期刷新。',
  'calendar.feed.howTo':
    'Outlook：添加日历 → 从 Internet 订阅；Apple 日历：文件 → 新建日历订阅；Google 日历：其他日历 → 通过网址添加。',
  'calendar.feed.create': '生成订阅地址',
  'calendar.feed.created': '订阅地址已生成',
  'calendar.feed.showOnce': '请立即复制此地址并粘贴到日历应用中',
  'calendar.feed.secret': '地址相当于密码：任何拿到它的人都能看到您的日程，请勿分享。离开本页后将无法再次查看。',
  'calendar.feed.active': '订阅地址已生效。出于安全考虑，地址只在生成时显示一次；如需重新获取，请生成新地址。',
  'calendar.feed.regenerate': '生成新地址',
  'calendar.feed.regenerateConfirm': '生成新地址后，旧地址立即失效，已订阅的日历需要改用新地址。确定继续吗？',
  'calendar.feed.revoke': '停用订阅',
  'calendar.feed.revokeConfirm': '停用后订阅地址立即失效，日历应用将不再同步您的日程。确定停用吗？',
  'calendar.feed.revoked': '日历订阅已停用',
} as const;

export const enUS: Record<keyof typeof zhCN, string> = {
  'calendar.workOrder': 'Work order',
  'calendar.workOrdersOnly':
    '{n, plural, one {No activities in this period; # work order falls due (shown on its due date)} other {No activities in this period; # work orders fall due (shown on their due dates)}}',
  'calendar.title': 'Calendar',
  'calendar.pageHint':
    'Planned activities are shown at their due time, done ones when they were done (grey, struck through); drag a planned activity to reschedule it.',
  'calendar.scope.mine': 'Mine',
  'calendar.scope.team': 'Team',
  'calendar.view.month': 'Month',
  'calendar.view.week': 'Week',
  'calendar.view.day': 'Day',
  'calendar.today': 'Today',
  'calendar.prev': 'Previous',
  'calendar.next': 'Next',
  'calendar.summary': '{planned} planned · {done} done · click an activity for details',
  'calendar.emptyMine':
    'You have no activities in this period. Activities planned on customers, opportunities or leads appear here; switch to Team to see your colleagues’.',
  'calendar.emptyTeam': 'Your team has no activities in this period.',
  'calendar.rescheduled': '“{subject}” moved to {time}',
  'calendar.status.planned': 'Planned',
  'calendar.status.done': 'Done',
  'calendar.plannedFor': 'Originally due',
  'calendar.customer': 'Customer',
  'calendar.opportunity': 'Opportunity',
  'calendar.lead': 'Lead',
  'calendar.owner': 'Owner',
  'calendar.assignees': 'Assignees',
  'calendar.subscribe': 'Subscribe',
  'calendar.feed.title': 'Subscribe in Outlook / Apple / Google Calendar',
  'calendar.feed.hint':
    'Create a subscription address and subscribe to it in your calendar app: the activities you own or are assigned to (from 90 days ago to a year ahead) appear there and are refreshed by the app from time to time.',
  'calendar.feed.howTo':
    'Outlook: Add calendar → Subscribe from web; Apple Calendar: File → New Calendar Subscription; Google Calendar: Other calendars → From URL.',
  'calendar.feed.create': 'Create subscription address',
  'calendar.feed.created': 'Subscription address created',
  'calendar.feed.showOnce': 'Copy this address now and paste it into your calendar app',
  'calendar.feed.secret':
    'The address works like a password: anyone who has it can see your calendar, so do not share it. It will not be shown again once you leave this page.',
  'calendar.feed.active':
    'Your subscription address is active. For security it is shown only once, when created; to get it again, create a new address.',
  'calendar.feed.regenerate': 'Create a new address',
  'calendar.feed.regenerateConfirm':
    'The old address stops working at once; calendars subscribed to it must switch to the new one. Continue?',
  'calendar.feed.revoke': 'Revoke',
  'calendar.feed.revokeConfirm':
    'The subscription address stops working at once and calendar apps no longer receive your activities. Revoke it?',
  'calendar.feed.revoked': 'Calendar subscription revoked',
};
