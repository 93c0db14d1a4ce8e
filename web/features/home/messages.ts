/**
 * UI strings of this feature: zh-CN is the source, en-US must translate every key
 * (the typecheck fails otherwise). web/i18n/messages.ts merges every feature's strings into one dictionary.
 */
export const zhCN = {
  'home.morning': '早上好，{name}',
  'home.afternoon': '下午好，{name}',
  'home.evening': '晚上好，{name}',
  'home.intro': '这里是您的个人资料与权限。您的角色可以使用下面这些模块，也可以随时从左侧菜单进入。',
  'home.profile': '我的资料',
  'home.access': '我的权限',
  'home.editProfile': '修改个人设置',
} as const;

export const enUS: Record<keyof typeof zhCN, string> = {
  'home.morning': 'Good morning, {name}',
  'home.afternoon': 'Good afternoon, {name}',
  'home.evening': 'Good evening, {name}',
  'home.intro':
    'Your profile and what your role may do. These are the modules open to you; the menu on the left leads to each too.',
  'home.profile': 'My profile',
  'home.access': 'My access',
  'home.editProfile': 'Personal settings',
};
