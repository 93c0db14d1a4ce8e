import { LeftOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Flex } from 'antd';
import { Link, useParams } from 'react-router';
import { peopleApi } from '../../api/resources';
import { can, useMe } from '../../auth/session';
import { PageContainer } from '../../components/PageContainer';
import { useT } from '../../i18n';
import { PersonRecordView } from './PersonRecordView';

/** 人员档案 of a colleague (/people/:id, opened from the staff list) or my own (/my-record, from the user menu). */
export function PersonPage() {
  const t = useT();
  const me = useMe();
  const { id } = useParams();
  const userId = id ?? me.user.id;
  const mine = userId === me.user.id;
  const record = useQuery({ queryKey: [peopleApi.path, userId], queryFn: () => peopleApi.get(userId) });
  const name = record.data?.profile.name;
  return (
    <PageContainer
      title={
        <Flex align="center" gap={8} wrap>
          {!mine && can(me, 'staff:read', 'department') && (
            <Link to="/staff/users" aria-label={t('nav.users')}>
              <LeftOutlined />
            </Link>
          )}
          {mine ? t('people.myNav') : name ? t('people.title', { name }) : t('people.nav')}
        </Flex>
      }
    >
      <PersonRecordView userId={userId} />
    </PageContainer>
  );
}
