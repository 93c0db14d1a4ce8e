/**
 * UI strings of issue 10, items 3–4 (API token scopes, expiry and last use, the administrators' token
 * list, keeping tokens on a password change), kept apart while web/i18n is being split per feature:
 * to be merged into the settings feature's catalogue. `settings.passwordHint` and
 * `settings.tokensHint` REPLACE the texts of the same keys in web/i18n (they were no longer true);
 * `audit.action.revoke` and `audit.entity.api-token` belong with the audit strings.
 * Until merged, useH2T() (./use-h2-t.ts) looks keys up here first.
 */
export const zhCN = {
  'settings.passwordHint': '修改后，您在其他设备上的登录会话将失效；您的 API 令牌默认一并吊销。',
  'settings.keepApiTokens': '保留我的 API 令牌（不勾选则全部吊销）',
  'settings.tokensHint':
    'API 令牌让其他系统以您的身份调用工单的接口（请求头 Authorization: Bearer <令牌>）。只读令牌只能查询；读写令牌的权限与您的账号相同。令牌只能在这里创建和吊销，修改密码时默认吊销。',

  'tokens.scope': '权限',
  'tokens.scope.read-only': '只读',
  'tokens.scope.read-write': '读写',
  'tokens.scopeHelp': '只读令牌只能查询数据；读写令牌还可以新建和修改数据',
  'tokens.status': '状态',
  'tokens.status.active': '有效',
  'tokens.status.expired': '已过期',
  'tokens.status.revoked': '已吊销',
  'tokens.revokedAt': '吊销时间',
  'tokens.owner': '所属用户',
  'tokens.adminTitle': '全部 API 令牌',
  'tokens.adminHint': '这里列出所有用户的 API 令牌。吊销后，使用该令牌的系统立即无法访问；每次吊销都记入审计日志。',
  'tokens.search': '令牌名称、前缀或用户',
  'tokens.anyStatus': '全部状态',
  'tokens.anyScope': '全部权限',
  'tokens.adminRevokeConfirm': '确定吊销{owner}的令牌「{name}」吗？使用它的系统将立即无法访问。',
  'tokens.adminEmpty': '没有符合条件的令牌',
  'tokens.adminEmptyHint': '可以换个状态或清空搜索',
  'tokens.adminEmptyNone': '还没有人创建 API 令牌',

  'audit.action.revoke': '吊销',
  'audit.entity.api-token': 'API 令牌',
} as const;

export type H2MessageKey = keyof typeof zhCN;

export const enUS: Record<H2MessageKey, string> = {
  'settings.passwordHint':
    'Your sessions on other devices end after the change; your API tokens are revoked too unless you keep them.',
  'settings.keepApiTokens': 'Keep my API tokens (otherwise they are all revoked)',
  'settings.tokensHint':
    'An API token lets another system call the Gongdan API as you (header Authorization: Bearer <token>). Read-only tokens can only read; read-and-write tokens have the permissions of your account. Tokens are created and revoked only here, and a password change revokes them by default.',

  'tokens.scope': 'Access',
  'tokens.scope.read-only': 'Read-only',
  'tokens.scope.read-write': 'Read and write',
  'tokens.scopeHelp': 'Read-only tokens can only read data; read-and-write tokens can also create and change it',
  'tokens.status': 'Status',
  'tokens.status.active': 'Active',
  'tokens.status.expired': 'Expired',
  'tokens.status.revoked': 'Revoked',
  'tokens.revokedAt': 'Revoked',
  'tokens.owner': 'Owner',
  'tokens.adminTitle': 'All API tokens',
  'tokens.adminHint':
    'Every user’s API tokens. A revoked token stops working at once; each revocation is written to the audit log.',
  'tokens.search': 'Token name, prefix or user',
  'tokens.anyStatus': 'Any status',
  'tokens.anyScope': 'Any access',
  'tokens.adminRevokeConfirm': 'Revoke {owner}’s token “{name}”? Systems using it lose access at once.',
  'tokens.adminEmpty': 'No tokens match',
  'tokens.adminEmptyHint': 'Try another status or clear the search',
  'tokens.adminEmptyNone': 'Nobody has created an API token yet',

  'audit.action.revoke': 'Revoked',
  'audit.entity.api-token': 'API token',
};
