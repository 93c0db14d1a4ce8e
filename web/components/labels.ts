import type { Locale } from '../../common/i18n';
import { BUILTIN_ROLES, type BuiltinRole } from '../../common/permissions';
import { ERASED_CONTACT_NAME } from '../../common/privacy';
import type { StaffCategory } from '../../common/schemas/staff';
import type { Translate, WebMessageKey } from '../i18n';

function isBuiltinRole(code: string): code is BuiltinRole {
  return (BUILTIN_ROLES as readonly string[]).includes(code);
}

/**
 * A role's name for display. Built-in roles are stored with Chinese names; in another UI
 * language they are shown by their code's translation.
 */
export function roleLabel(t: Translate, locale: Locale, role: { code: string; name: string }): string {
  return locale !== 'zh-CN' && isBuiltinRole(role.code) ? t(`role.builtin.${role.code}`) : role.name;
}

export function roleDescription(
  t: Translate,
  locale: Locale,
  role: { code: string; description: string | null; builtin: boolean },
): string {
  if (role.builtin && locale !== 'zh-CN' && isBuiltinRole(role.code)) return t(`role.builtinDescription.${role.code}`);
  return role.description ?? '';
}

export const categoryKey = (category: StaffCategory): WebMessageKey => `user.category.${category}`;

/** A message key chosen at run time, checked against the catalogue. */
export function dynamicKey(t: Translate, key: string, fallback: string): string {
  const text = t(key as WebMessageKey);
  return text === key ? fallback : text;
}

/** "王建国（manager）" in Chinese, "王建国 (manager)" otherwise: a person in pickers. */
export function personLabel(locale: Locale, user: { displayName: string; username: string }): string {
  return locale === 'zh-CN' ? `${user.displayName}（${user.username}）` : `${user.displayName} (${user.username})`;
}

/** A record named in both languages (a stage, an approval flow or step), in the UI language. */
export function localName(item: { nameZh: string; nameEn: string }, locale: Locale): string {
  return locale === 'zh-CN' ? item.nameZh : item.nameEn;
}

/** The separator of an inline list in the UI language. */
export function listSeparator(locale: Locale): string {
  return locale === 'zh-CN' ? '、' : ', ';
}

/**
 * A contact's name as a record joined to it carries it (a contact log, an activity, a contract): a contact whose
 * personal data was erased (个人信息保护法) is stored under the Chinese marker, shown in the reader's language.
 */
export function contactNameLabel(t: Translate, name: string): string {
  return name === ERASED_CONTACT_NAME ? t('privacy.erasedName') : name;
}
