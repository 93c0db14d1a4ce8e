import { Card, Tabs } from 'antd';
import { useSearchParams } from 'react-router';
import { PageContainer } from '../../components/PageContainer';
import { DelegationsPanel } from '../approvals/DelegationsPanel';
import { SubscriptionsPanel } from '../dashboard/SubscriptionsPanel';
import { useT } from '../../i18n';
import { ApiTokensPanel } from './ApiTokensPanel';
import { PasswordForm } from './PasswordForm';
import { ProfileForm } from './ProfileForm';
import { RemindersPanel } from './RemindersPanel';
import { TwoFactorPanel } from './TwoFactorPanel';

const TABS = ['profile', 'password', 'two-factor', 'reminders', 'delegations', 'subscriptions', 'tokens'] as const;
type Tab = (typeof TABS)[number];

/**
 * Personal settings: profile and language, password, two-step verification 两步验证, reminders and notifications, standing approval
 * delegations, report subscriptions 报表订阅, API tokens (the tab is in the URL).
 */
export function SettingsPage() {
  const t = useT();
  const [search, setSearch] = useSearchParams();
  const tab: Tab = (TABS as readonly string[]).includes(search.get('tab') ?? '')
    ? (search.get('tab') as Tab)
    : 'profile';
  return (
    <PageContainer title={t('settings.title')}>
      <Card>
        <Tabs
          activeKey={tab}
          onChange={(key) => setSearch({ tab: key }, { replace: true })}
          items={[
            { key: 'profile', label: t('settings.profile'), children: <ProfileForm /> },
            { key: 'password', label: t('settings.password'), children: <PasswordForm /> },
            { key: 'two-factor', label: t('twoFactor.title'), children: <TwoFactorPanel /> },
            { key: 'reminders', label: t('prefs.tab'), children: <RemindersPanel /> },
            { key: 'delegations', label: t('delegation.tab'), children: <DelegationsPanel /> },
            { key: 'subscriptions', label: t('dash.subscriptions'), children: <SubscriptionsPanel /> },
            { key: 'tokens', label: t('settings.tokens'), children: <ApiTokensPanel /> },
          ]}
        />
      </Card>
    </PageContainer>
  );
}
