/**
 * UI strings of this feature: zh-CN is the source, en-US must translate every key
 * (the typecheck fails otherwise). web/i18n/messages.ts merges every feature's strings into one dictionary.
 */
export const zhCN = {
  'department.title': '部门',
  'department.name': '部门名称',
  'department.parent': '上级部门',
  'department.manager': '部门负责人',
  'department.userCount': '人数',
  'department.create': '新建部门',
  'department.createChild': '新建下级部门',
  'department.createTitle': '新建部门',
  'department.createChildTitle': '在「{parent}」下新建部门',
  'department.editTitle': '编辑部门：{name}',
  'department.topLevel': '留空则为顶级部门',
  'department.empty': '还没有部门',
  'department.emptyFiltered': '没有符合条件的部门',
  'department.emptyHint': '从创建第一个部门开始搭建组织架构',
  'department.searchPlaceholder': '按部门名称搜索',
  'department.showInactive': '显示已停用',
  'department.pickManager': '选择部门负责人',
} as const;

export const enUS: Record<keyof typeof zhCN, string> = {
  'department.title': 'Departments',
  'department.name': 'Department name',
  'department.parent': 'Parent department',
  'department.manager': 'Department head',
  'department.userCount': 'Staff',
  'department.create': 'New department',
  'department.createChild': 'New sub-department',
  'department.createTitle': 'New department',
  'department.createChildTitle': 'New department under "{parent}"',
  'department.editTitle': 'Edit department: {name}',
  'department.topLevel': 'Leave empty for a top-level department',
  'department.empty': 'No departments yet',
  'department.emptyFiltered': 'No departments match',
  'department.emptyHint': 'Create the first department to build the organisation',
  'department.searchPlaceholder': 'Search departments',
  'department.showInactive': 'Show inactive',
  'department.pickManager': 'Choose the department head',
};
