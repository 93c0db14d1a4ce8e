import { Badge } from 'antd';
import { useT } from '../i18n';

/** Active / inactive, the same way on every page. */
export function StatusTag({ active }: { active: boolean }) {
  const t = useT();
  return <Badge status={active ? 'success' : 'default'} text={t(active ? 'common.active' : 'common.inactive')} />;
}
