import { DeleteOutlined, PlusOutlined, SafetyCertificateOutlined, UserAddOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Divider, Flex, Form, List, Modal, Select, Space, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { ENGAGEMENT_ROLES, type Engagement, type EngagementRole } from '../../../common/schemas/engagements';
import { useWrite } from '../../api/queries';
import { engagementsApi } from '../../api/resources';
import { errorText } from '../../components/errors';
import { LoadError } from '../../components/QueryState';
import { useT } from '../../i18n';
import { testId } from '../opportunities/opportunity-ui';
import { ENGAGEMENT_INVALIDATES, roleLabel } from './engagement-ui';

type Values = { members: { userId?: string; roles?: EngagementRole[] }[] };

/**
 * 人员安排: the whole team with each person's roles, and for a chosen role the people the firm suggests — those
 * with the engagement's business line and the qualification (a signing CPA must be practising), least loaded first.
 */
export function StaffingModal({
  engagement,
  open,
  onClose,
}: {
  engagement: Engagement;
  open: boolean;
  onClose: () => void;
}) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const firstNeeded = engagement.phases.flatMap((p) => p.roles).find((r) => r !== 'manager') ?? 'assistant';
  const [role, setRole] = useState<EngagementRole>(firstNeeded);
  const [refused, setRefused] = useState<unknown>(null);
  const suggestions = useQuery({
    queryKey: [engagementsApi.path, 'staffing', engagement.id, role],
    queryFn: () => engagementsApi.staffing(engagement.id, role),
    enabled: open,
  });
  const save = useWrite(
    (v: Values) =>
      engagementsApi.setMembers(engagement.id, {
        members: (v.members ?? [])
          .filter((m) => m.userId && m.roles?.length)
          .map((m) => ({ userId: m.userId!, roles: m.roles! })),
      }),
    ENGAGEMENT_INVALIDATES,
  );
  useEffect(() => {
    if (!open) return;
    setRefused(null);
    form.resetFields();
    form.setFieldsValue({ members: engagement.members.map((m) => ({ userId: m.userId, roles: m.roles })) });
  }, [open, engagement, form]);

  // Names of everyone the form may show: the team, and each suggestion seen.
  const [names, setNames] = useState(new Map<string, string>());
  useEffect(() => {
    setNames((before) => {
      const next = new Map(before);
      for (const m of engagement.members) next.set(m.userId, m.name);
      for (const s of suggestions.data?.items ?? [])
        next.set(s.userId, s.departmentName ? `${s.name} · ${s.departmentName}` : s.name);
      return next;
    });
  }, [engagement.members, suggestions.data]);
  const people = useMemo(() => [...names].map(([value, label]) => ({ value, label })), [names]);
  const roles = ENGAGEMENT_ROLES.map((r) => ({ value: r, label: roleLabel(t, r) }));
  const members = Form.useWatch('members', form) ?? [];

  const addSuggested = (userId: string) => {
    const current = form.getFieldValue('members') as Values['members'];
    const at = current.findIndex((m) => m.userId === userId);
    if (at >= 0) {
      const rolesNow = current[at].roles ?? [];
      if (!rolesNow.includes(role)) form.setFieldValue(['members', at, 'roles'], [...rolesNow, role]);
    } else form.setFieldValue('members', [...current, { userId, roles: [role] }]);
  };

  const submit = async (values: Values) => {
    setRefused(null);
    try {
      await save.mutateAsync(values);
      void message.success(t('engagement.staffSaved'));
      onClose();
    } catch (error) {
      setRefused(error);
    }
  };

  return (
    <Modal
      open={open}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      confirmLoading={save.isPending}
      title={t('engagement.staffTitle', { title: engagement.title })}
      width={720}
      destroyOnHidden
      okButtonProps={testId('staff-save')}
    >
      <Typography.Paragraph type="secondary">{t('engagement.staffHint')}</Typography.Paragraph>
      {Boolean(refused) && (
        <Alert
          type="error"
          showIcon
          title={errorText(t, refused)}
          style={{ marginBottom: 12 }}
          data-testid="staff-error"
        />
      )}
      <Form<Values> form={form} name="staffing" onFinish={submit}>
        <Form.List name="members">
          {(fields, { add, remove }) => (
            <Flex vertical gap={0}>
              {fields.map((field) => (
                <Flex key={field.key} gap={8} align="flex-start" wrap>
                  <Form.Item
                    name={[field.name, 'userId']}
                    style={{ flex: '2 1 180px' }}
                    rules={[{ required: true, message: t('form.select', { field: t('engagement.member') }) }]}
                  >
                    <Select
                      showSearch={{ optionFilterProp: 'label' }}
                      options={people}
                      placeholder={t('engagement.member')}
                      data-testid="staff-user"
                    />
                  </Form.Item>
                  <Form.Item
                    name={[field.name, 'roles']}
                    style={{ flex: '3 1 220px' }}
                    rules={[{ required: true, message: t('form.select', { field: t('engagement.roles') }) }]}
                  >
                    <Select
                      mode="multiple"
                      options={roles}
                      placeholder={t('engagement.roles')}
                      data-testid="staff-roles"
                    />
                  </Form.Item>
                  <Button
                    type="text"
                    icon={<DeleteOutlined />}
                    aria-label={t('common.delete')}
                    onClick={() => remove(field.name)}
                    disabled={members[field.name]?.userId === engagement.leadId}
                  />
                </Flex>
              ))}
              <Button
                type="dashed"
                icon={<PlusOutlined />}
                onClick={() => add({ roles: [role] })}
                data-testid="staff-add"
              >
                {t('engagement.addMember')}
              </Button>
            </Flex>
          )}
        </Form.List>
      </Form>
      <Divider />
      <Flex gap={8} align="center" wrap style={{ marginBottom: 8 }}>
        <Typography.Text strong>{t('engagement.suggestions')}</Typography.Text>
        <Select
          value={role}
          onChange={setRole}
          options={roles}
          style={{ width: 180 }}
          aria-label={t('engagement.roles')}
          data-testid="staff-suggest-role"
        />
      </Flex>
      {suggestions.error ? (
        <LoadError query={suggestions} compact />
      ) : (
        <List
          size="small"
          loading={suggestions.isPending}
          locale={{ emptyText: t('engagement.suggestionsEmpty') }}
          dataSource={suggestions.data?.items ?? []}
          data-testid="staff-suggestions"
          renderItem={(s) => (
            <List.Item
              data-testid="staff-suggestion"
              data-user={s.userId}
              actions={[
                <Button
                  key="add"
                  size="small"
                  icon={<UserAddOutlined />}
                  onClick={() => addSuggested(s.userId)}
                  data-testid="staff-suggestion-add"
                >
                  {t('engagement.addSuggested')}
                </Button>,
              ]}
            >
              <Space size={6} wrap>
                <Typography.Text strong data-testid="staff-suggestion-name">
                  {s.name}
                </Typography.Text>
                {s.departmentName && <Typography.Text type="secondary">{s.departmentName}</Typography.Text>}
                {s.isPracticingCpa && <Tag color="gold">{t('engagement.practising')}</Tag>}
                {s.qualifications.map((q) => (
                  <Tag
                    key={q}
                    color="green"
                    icon={<SafetyCertificateOutlined />}
                    data-testid="staff-suggestion-qualification"
                  >
                    {t(`qualification.${q}`)}
                  </Tag>
                ))}
                {s.sameLine && <Tag color="blue">{t('engagement.sameLine')}</Tag>}
                {!s.qualified && <Tag color="red">{t('engagement.notQualified')}</Tag>}
                <Typography.Text type="secondary">{t('engagement.openTasks', { n: s.openTasks })}</Typography.Text>
              </Space>
            </List.Item>
          )}
        />
      )}
    </Modal>
  );
}
