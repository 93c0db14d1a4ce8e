/**
 * Personal data erased on request (个人信息保护法), as the server writes it and the web app shows it — without zod, so
 * that the labels every page uses do not bring the validation library into the first load.
 */

/** What an erased contact's name becomes (stored so; the web app shows it in the reader's language). */
export const ERASED_CONTACT_NAME = '已删除的联系人';
