/**
 * UI strings of this feature: zh-CN is the source, en-US must translate every key
 * (the typecheck fails otherwise). web/i18n/messages.ts merges every feature's strings into one dictionary.
 */
export const zhCN = {
  'reference.branches': '分所',
  'reference.regions': '区域',
  'reference.businessLines': '业务类型',
  'reference.head': '业务负责人',
  'reference.headHelp': '审批流程中可指定“业务类型负责人”审批本业务类型的申请',
  'reference.branch.one': '分所',
  'reference.region.one': '区域',
  'reference.businessLine.one': '业务类型',
  'reference.branchesHint': '事务所的分所或办事处，例如北京、上海。',
  'reference.regionsHint': '业务所在的地区，用于线索分配和销售报表，例如华东、西北。',
  'reference.businessLinesHint': '事务所提供的服务，例如审计、验资、资产评估；员工可熟悉多种业务类型。',
  'reference.createTitle': '新建{kind}',
  'reference.editTitle': '编辑{kind}：{name}',
  'reference.create': '新建{kind}',
  'reference.empty': '还没有{kind}',
  'reference.emptyFiltered': '没有符合条件的{kind}',
  'reference.emptyHint': '点击右上角「新建」添加第一条',
  'reference.codeHelpUpper': '1–10 位大写字母或数字，例如 SJ',
  'reference.codeHelpOptional': '可选，最多 20 个字符',
} as const;

export const enUS: Record<keyof typeof zhCN, string> = {
  'reference.branches': 'Branches',
  'reference.regions': 'Regions',
  'reference.businessLines': 'Business lines',
  'reference.head': 'Head of the line',
  'reference.headHelp': 'Approval flows may send this line’s requests to “the head of the business line”',
  'reference.branch.one': 'branch',
  'reference.region.one': 'region',
  'reference.businessLine.one': 'business line',
  'reference.branchesHint': "The firm's branches or offices, e.g. Beijing, Shanghai.",
  'reference.regionsHint':
    'Geographic regions, used for lead assignment and sales reports, e.g. East China, Northwest.',
  'reference.businessLinesHint':
    'The services the firm offers, e.g. audit, capital verification, asset valuation; staff may know several.',
  'reference.createTitle': 'New {kind}',
  'reference.editTitle': 'Edit {kind}: {name}',
  'reference.create': 'New {kind}',
  'reference.empty': 'No {kind} yet',
  'reference.emptyFiltered': 'No {kind} matches',
  'reference.emptyHint': 'Use "New" at the top right to add the first one',
  'reference.codeHelpUpper': '1–10 upper-case letters or digits, e.g. SJ',
  'reference.codeHelpOptional': 'Optional, up to 20 characters',
};
