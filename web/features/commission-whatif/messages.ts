/**
 * UI strings of this feature: zh-CN is the source, en-US must translate every key
 * (the typecheck fails otherwise). web/i18n/messages.ts merges every feature's strings into one dictionary.
 */
export const zhCN = {
  'commissionWhatIf.nav': '佣金模拟',
  'commissionWhatIf.pageHint':
    '用一个佣金政策版本（通常是草稿）重算过去若干月份，与当时生效的政策比较：不写入任何数据，按到款与已审批工时计算，按份额分配的奖金池不计',
  'commissionWhatIf.version': '政策版本',
  'commissionWhatIf.versionOption': '第 {version} 版 · {name}（{status}）',
  'commissionWhatIf.status.draft': '草稿',
  'commissionWhatIf.status.adopted': '已采用',
  'commissionWhatIf.range': '月份范围',
  'commissionWhatIf.start': '开始模拟',
  'commissionWhatIf.progress': '已计算 {done} / {total} 个合同月',
  'commissionWhatIf.failed': '模拟失败，请重试',
  'commissionWhatIf.current': '现行政策',
  'commissionWhatIf.proposed': '模拟政策',
  'commissionWhatIf.difference': '差额',
  'commissionWhatIf.byPerson': '按人员',
  'commissionWhatIf.byBusinessLine': '按业务类型',
  'commissionWhatIf.winners': '增加最多',
  'commissionWhatIf.losers': '减少最多',
  'commissionWhatIf.person': '人员',
  'commissionWhatIf.businessLine': '业务类型',
  'commissionWhatIf.subjects': '共 {count} 个合同月',
  'commissionWhatIf.empty': '这些月份没有到款或已审批工时',
  'commissionWhatIf.none': '无',
};

export const enUS: Record<keyof typeof zhCN, string> = {
  'commissionWhatIf.nav': 'Commission what-if',
  'commissionWhatIf.pageHint':
    'Run a policy version (usually a draft) over past months and compare it with the policy in force then: nothing is written; receipts and approved hours are counted, pools split by shares are not',
  'commissionWhatIf.version': 'Policy version',
  'commissionWhatIf.versionOption': 'Version {version} · {name} ({status})',
  'commissionWhatIf.status.draft': 'draft',
  'commissionWhatIf.status.adopted': 'adopted',
  'commissionWhatIf.range': 'Months',
  'commissionWhatIf.start': 'Run what-if',
  'commissionWhatIf.progress': '{done} of {total} contract-months computed',
  'commissionWhatIf.failed': 'The what-if failed: please run it again',
  'commissionWhatIf.current': 'Current policy',
  'commissionWhatIf.proposed': 'Proposed',
  'commissionWhatIf.difference': 'Difference',
  'commissionWhatIf.byPerson': 'By person',
  'commissionWhatIf.byBusinessLine': 'By business line',
  'commissionWhatIf.winners': 'Biggest gains',
  'commissionWhatIf.losers': 'Biggest losses',
  'commissionWhatIf.person': 'Person',
  'commissionWhatIf.businessLine': 'Business line',
  'commissionWhatIf.subjects': '{count} contract-months',
  'commissionWhatIf.empty': 'No receipts or approved hours in these months',
  'commissionWhatIf.none': 'None',
};
