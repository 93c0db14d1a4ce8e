import { describe, expect, test } from 'vitest';
import { ERASED_CONTACT_NAME } from '../../common/privacy';
import { enUS, zhCN } from '../i18n/messages';
import type { Translate } from '../i18n';
import { contactNameLabel } from './labels';

const translator =
  (messages: Record<string, string>): Translate =>
  (key) =>
    messages[key];

describe('a contact name joined to a record', () => {
  test("is a contact's own name as stored, and an erased contact's marker in the reader's language", () => {
    expect(contactNameLabel(translator(enUS), '王建国')).toBe('王建国');
    expect(contactNameLabel(translator(enUS), ERASED_CONTACT_NAME)).toBe('Deleted contact');
    expect(contactNameLabel(translator(zhCN), ERASED_CONTACT_NAME)).toBe('已删除的联系人');
  });
});
