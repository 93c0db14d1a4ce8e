import { GlobalOutlined } from '@ant-design/icons';
import { LANGUAGE_NAMES, LOCALES, useLocale, useT, type Locale } from '../i18n';

/**
 * The sign-in page's language switch: drawn as the header's (a text button, the globe and the language's
 * name; styles.css), and under it, covering it, the browser's own select — its list is the system's, a
 * phone's picker on a phone — so that the sign-in page does without antd's Dropdown and Menu.
 */
export function LanguageSelect({ onSelect }: { onSelect: (locale: Locale) => void }) {
  const { locale } = useLocale();
  const t = useT();
  return (
    <span className="gd-language-select">
      <GlobalOutlined />
      <span aria-hidden>{LANGUAGE_NAMES[locale]}</span>
      <select
        aria-label={t('lang.label')}
        data-testid="language-switch"
        value={locale}
        onChange={(event) => onSelect(event.target.value as Locale)}
      >
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LANGUAGE_NAMES[l]}
          </option>
        ))}
      </select>
    </span>
  );
}
