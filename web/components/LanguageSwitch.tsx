import { GlobalOutlined } from '@ant-design/icons';
import { Button, Dropdown } from 'antd';
import { LANGUAGE_NAMES, LOCALES, useLocale, useT, type Locale } from '../i18n';

/**
 * The signed-in header's language switch: `onSelect` saves the choice on the server and switches (the
 * sign-in page has a lighter one: LanguageSelect).
 */
export function LanguageSwitch({
  onSelect,
  compact = false,
}: {
  onSelect: (locale: Locale) => void | Promise<void>;
  /** The globe alone (a phone's header); the language's name stays for screen readers. */
  compact?: boolean;
}) {
  const { locale } = useLocale();
  const t = useT();
  return (
    <Dropdown
      trigger={['click']}
      menu={{
        selectable: true,
        selectedKeys: [locale],
        items: LOCALES.map((l) => ({ key: l, label: LANGUAGE_NAMES[l] })),
        onClick: ({ key }) => {
          const next = key as Locale;
          if (next !== locale) void onSelect(next);
        },
      }}
    >
      <Button
        type="text"
        icon={<GlobalOutlined />}
        aria-label={t('lang.label')}
        data-testid="language-switch"
        style={compact ? { width: 36, paddingInline: 0 } : undefined}
      >
        {compact ? <span className="gd-visually-hidden">{LANGUAGE_NAMES[locale]}</span> : LANGUAGE_NAMES[locale]}
      </Button>
    </Dropdown>
  );
}
