import { Select } from 'antd';
import { useT } from '../i18n';

export type ActiveValue = 'true' | 'false' | 'all';

/** The `?active=true|false|all` filter of lists whose records can be deactivated. */
export function ActiveFilter({ value, onChange }: { value: ActiveValue; onChange: (value: ActiveValue) => void }) {
  const t = useT();
  return (
    <Select<ActiveValue>
      aria-label={t('common.status')}
      style={{ width: 120 }}
      value={value}
      onChange={onChange}
      options={[
        { value: 'true', label: t('common.active') },
        { value: 'false', label: t('common.inactive') },
        { value: 'all', label: t('common.all') },
      ]}
    />
  );
}
