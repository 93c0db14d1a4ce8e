/**
 * UI strings of this feature: zh-CN is the source, en-US must translate every key
 * (the typecheck fails otherwise). web/i18n/messages.ts merges every feature's strings into one dictionary.
 */
export const zhCN = {
  'workload.nav': '工作负荷',
  'workload.pageHint':
    '每人每周登记的工时与周工时容量（默认 40 小时）对比：低于 50% 为不饱和，超过 100% 为超负荷；括号内为当周到期的未完成工单的预算工时',
  'workload.from': '起始周',
  'workload.weeks': '周数',
  'workload.weeksOption': '{count} 周',
  'workload.department': '部门',
  'workload.allDepartments': '全部部门',
  'workload.person': '人员',
  'workload.week': '{date} 周',
  'workload.total': '合计',
  'workload.totals': '合计',
  'workload.cell': '{hours} / {capacity} 小时',
  'workload.planned': '计划 {hours}',
  'workload.billable': '计费 {hours}',
  'workload.state.under': '不饱和',
  'workload.state.ok': '正常',
  'workload.state.over': '超负荷',
  'workload.empty': '没有可显示的人员',
};

export const enUS: Record<keyof typeof zhCN, string> = {
  'workload.nav': 'Workload',
  'workload.pageHint':
    'Hours logged per person per week against the weekly capacity (40 h by default): under 50 % is under-loaded, over 100 % overloaded; planned hours of open work orders due that week in brackets',
  'workload.from': 'First week',
  'workload.weeks': 'Weeks',
  'workload.weeksOption': '{count, plural, one {# week} other {# weeks}}',
  'workload.department': 'Department',
  'workload.allDepartments': 'All departments',
  'workload.person': 'Person',
  'workload.week': 'Week of {date}',
  'workload.total': 'Total',
  'workload.totals': 'Total',
  'workload.cell': '{hours} / {capacity} h',
  'workload.planned': 'Planned {hours}',
  'workload.billable': 'Billable {hours}',
  'workload.state.under': 'Under',
  'workload.state.ok': 'OK',
  'workload.state.over': 'Over',
  'workload.empty': 'Nobody to show',
};
