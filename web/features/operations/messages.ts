/**
 * UI strings of this feature: zh-CN is the source, en-US must translate every key
 * (the typecheck fails otherwise). web/i18n/messages.ts merges every feature's strings into one dictionary.
 */
export const zhCN = {
  'backups.hint':
    '系统每晚自动备份一次（BACKUP_CRON 设置，默认凌晨 2 点 30 分），在服务器的备份目录中保留最近几份（BACKUP_KEEP，默认 7 份）。请定期把备份文件复制到另一台机器。',
  'backups.restoreHint': '恢复备份请在服务器上停止服务后运行 gongdan restore 文件名；详见部署指南。',
  'backups.takeNow': '立即备份',
  'backups.taken': '已开始备份，完成后会显示在列表中',
  'backups.refresh': '刷新',
  'backups.startedAt': '开始时间',
  'backups.trigger': '方式',
  'backups.trigger.schedule': '定时',
  'backups.trigger.api': '手动',
  'backups.trigger.command': '命令行',
  'backups.status.running': '进行中',
  'backups.status.done': '完成',
  'backups.status.failed': '失败',
  'backups.file': '文件',
  'backups.size': '大小',
  'backups.rows': '数据行数',
  'backups.schema': '数据库版本',
  'backups.duration': '用时',
  'backups.seconds': '{n} 秒',
  'backups.empty': '还没有备份记录',
  'backups.emptyHint': '第一次定时备份在今晚进行；也可以点「立即备份」。',
};

export const enUS: Record<keyof typeof zhCN, string> = {
  'backups.hint':
    'The system backs itself up every night (BACKUP_CRON, by default at half past two in the morning) and keeps the newest few in the backup folder on the server (BACKUP_KEEP, by default 7). Copy the backup files to another machine regularly.',
  'backups.restoreHint':
    'To restore a backup, stop the service on the server and run gongdan restore with the file; see the deployment guide.',
  'backups.takeNow': 'Back up now',
  'backups.taken': 'The backup has started; it shows in the list when done',
  'backups.refresh': 'Refresh',
  'backups.startedAt': 'Started',
  'backups.trigger': 'How',
  'backups.trigger.schedule': 'Scheduled',
  'backups.trigger.api': 'By hand',
  'backups.trigger.command': 'Command line',
  'backups.status.running': 'Running',
  'backups.status.done': 'Done',
  'backups.status.failed': 'Failed',
  'backups.file': 'File',
  'backups.size': 'Size',
  'backups.rows': 'Rows',
  'backups.schema': 'Database version',
  'backups.duration': 'Took',
  'backups.seconds': '{n, plural, one {# second} other {# seconds}}',
  'backups.empty': 'No backups yet',
  'backups.emptyHint': 'The first scheduled backup runs tonight; or press "Back up now".',
};
