import { Button, Card, Col, Descriptions, Flex, Row, Space, Tag, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { useAllBusinessLines } from '../../api/queries';
import { PERMISSIONS, PERMISSION_KEYS } from '../../../common/permissions';
import { useMe } from '../../auth/session';
import { formatDateTime, hourInFirmZone } from '../../components/format';
import { categoryKey, roleLabel } from '../../components/labels';
import { useLocale, useT, type WebMessageKey } from '../../i18n';

function greetingKey(hour: number): WebMessageKey {
  if (hour < 12) return 'home.morning';
  if (hour < 18) return 'home.afternoon';
  return 'home.evening';
}

/**
 * 我的资料: the profile, the grants, and (given by the app shell, which knows the pages) links to
 * every module the user's role opens.
 */
export function HomePage({ modules }: { modules?: ReactNode }) {
  const me = useMe();
  const t = useT();
  const { locale } = useLocale();
  const navigate = useNavigate();
  const { data: businessLines } = useAllBusinessLines();
  const user = me.user;
  const lineNames = user.businessLineIds.map((id) => businessLines?.find((b) => b.id === id)?.name).filter(Boolean);
  const granted = PERMISSION_KEYS.filter((p) => me.grants[p]);
  const dash = <Typography.Text type="secondary">—</Typography.Text>;

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card>
        <Typography.Title level={3} style={{ marginTop: 0 }} data-testid="greeting">
          {t(greetingKey(hourInFirmZone()), { name: user.displayName })}
        </Typography.Title>
        <Typography.Text type="secondary" data-testid="home-intro">
          {t('home.intro')}
        </Typography.Text>
        {modules}
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={16}>
          <Card
            title={t('home.profile')}
            extra={
              <Button type="link" onClick={() => navigate('/settings')}>
                {t('home.editProfile')}
              </Button>
            }
          >
            <Descriptions column={{ xs: 1, md: 2 }} data-testid="profile-summary">
              <Descriptions.Item label={t('user.username')}>{user.username}</Descriptions.Item>
              <Descriptions.Item label={t('user.role')}>
                {roleLabel(t, locale, { code: user.roleCode, name: user.roleName })}
              </Descriptions.Item>
              <Descriptions.Item label={t('user.department')}>{user.departmentName ?? dash}</Descriptions.Item>
              <Descriptions.Item label={t('user.branch')}>{user.branchName ?? dash}</Descriptions.Item>
              <Descriptions.Item label={t('user.region')}>{user.regionName ?? dash}</Descriptions.Item>
              <Descriptions.Item label={t('user.staffCategory')}>
                {t(categoryKey(user.staffCategory))}
              </Descriptions.Item>
              <Descriptions.Item label={t('user.businessLines')} span={2}>
                {lineNames.length ? lineNames.map((name) => <Tag key={name}>{name}</Tag>) : dash}
              </Descriptions.Item>
              <Descriptions.Item label={t('user.cpa')}>
                {t(user.isPracticingCpa ? 'user.cpaPracticing' : 'user.cpaNonPracticing')}
              </Descriptions.Item>
              <Descriptions.Item label={t('user.lastLogin')}>
                {formatDateTime(user.lastLoginAt, locale) || t('common.never')}
              </Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card title={t('home.access')}>
            <Space orientation="vertical" size={12} style={{ width: '100%' }} data-testid="my-access">
              {granted.length === 0 && <Typography.Text type="secondary">{t('role.noGrants')}</Typography.Text>}
              {granted.map((permission) => (
                <Flex key={permission} justify="space-between" gap={8}>
                  <Typography.Text>{t(`permission.${permission}`)}</Typography.Text>
                  <Tag color="blue">
                    {t(PERMISSIONS[permission].scoped ? `scope.${me.grants[permission]!}` : 'scope.on')}
                  </Tag>
                </Flex>
              ))}
            </Space>
          </Card>
        </Col>
      </Row>
    </Space>
  );
}
