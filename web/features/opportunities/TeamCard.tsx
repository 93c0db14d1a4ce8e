import { DeleteOutlined, EditOutlined, PlusOutlined, UserOutlined } from '@ant-design/icons';
import { App, AutoComplete, Avatar, Button, Card, Flex, Form, List, Modal, Select, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import type { Opportunity } from '../../../common/schemas/opportunities';
import { useDirectory, useWrite } from '../../api/queries';
import { opportunitiesApi } from '../../api/resources';
import { EmptyState } from '../../components/EmptyState';
import { useErrorToast } from '../../components/errors';
import { personLabel } from '../../components/labels';
import { useLocale, useT } from '../../i18n';
import { testId } from './opportunity-ui';

type Values = { members: { userId?: string; role?: string }[] };

/** Roles offered in the picker; any other text is accepted too. */
const ROLE_KEYS = ['lead', 'manager', 'signingCpa', 'auditor', 'assistant', 'valuer', 'engineer', 'sales'] as const;

function TeamModal({ opportunity, open, onClose }: { opportunity: Opportunity; open: boolean; onClose: () => void }) {
  const t = useT();
  const { locale } = useLocale();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const [form] = Form.useForm<Values>();
  const directory = useDirectory(open);
  const save = useWrite(
    (v: Values) =>
      opportunitiesApi.setMembers(opportunity.id, {
        members: (v.members ?? [])
          .filter((m) => m.userId)
          .map((m) => ({ userId: m.userId!, role: (m.role ?? '').trim() })),
      }),
    [opportunitiesApi.path],
  );
  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue({ members: opportunity.members.map((m) => ({ userId: m.userId, role: m.role })) });
  }, [open, opportunity, form]);

  const people = (directory.data ?? []).map((u) => ({
    value: u.id,
    label: personLabel(locale, u) + (u.departmentName ? ` · ${u.departmentName}` : ''),
  }));
  for (const m of opportunity.members)
    if (!people.some((p) => p.value === m.userId)) people.push({ value: m.userId, label: m.name });
  const roles = ROLE_KEYS.map((k) => ({ value: t(`opp.teamRole.${k}`) }));

  const submit = async (values: Values) => {
    try {
      await save.mutateAsync(values);
      void message.success(t('common.saved'));
      onClose();
    } catch (error) {
      toast(error);
    }
  };

  return (
    <Modal
      open={open}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      confirmLoading={save.isPending}
      title={t('opp.teamEdit')}
      width={640}
      destroyOnHidden
      okButtonProps={{ ...testId('team-submit') }}
    >
      <Typography.Paragraph type="secondary">{t('opp.teamHint')}</Typography.Paragraph>
      <Form<Values> form={form} name="team" onFinish={submit}>
        <Form.List name="members">
          {(fields, { add, remove }) => (
            <Flex vertical gap={0}>
              {fields.map((field) => (
                <Flex key={field.key} gap={8} align="flex-start">
                  <Form.Item
                    name={[field.name, 'userId']}
                    style={{ flex: 3 }}
                    rules={[{ required: true, message: t('form.select', { field: t('opp.teamMember') }) }]}
                  >
                    <Select
                      showSearch={{ optionFilterProp: 'label' }}
                      options={people}
                      placeholder={t('opp.teamMember')}
                      loading={directory.isPending}
                      data-testid="team-user"
                    />
                  </Form.Item>
                  <Form.Item
                    name={[field.name, 'role']}
                    style={{ flex: 2 }}
                    rules={[
                      {
                        required: true,
                        whitespace: true,
                        message: t('form.required', { field: t('opp.teamRoleLabel') }),
                      },
                      { max: 50 },
                    ]}
                  >
                    <AutoComplete
                      options={roles}
                      placeholder={t('opp.teamRoleLabel')}
                      filterOption={(input, option) => String(option?.value ?? '').includes(input)}
                      data-testid="team-role"
                    />
                  </Form.Item>
                  <Button
                    type="text"
                    icon={<DeleteOutlined />}
                    aria-label={t('common.delete')}
                    onClick={() => remove(field.name)}
                  />
                </Flex>
              ))}
              <Button
                type="dashed"
                icon={<PlusOutlined />}
                onClick={() => add({ role: t('opp.teamRole.auditor') })}
                data-testid="team-add"
              >
                {t('opp.teamAdd')}
              </Button>
            </Flex>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}

/** The opportunity's team: people from any department, each with a role; they see the opportunity. */
export function TeamCard({ opportunity, editable }: { opportunity: Opportunity; editable: boolean }) {
  const t = useT();
  const [editing, setEditing] = useState(false);
  return (
    <Card
      size="small"
      title={t('opp.team')}
      data-testid="team-card"
      extra={
        editable && (
          <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="team-edit">
            {t('common.edit')}
          </Button>
        )
      }
    >
      <List
        size="small"
        dataSource={[
          { userId: opportunity.ownerId, name: opportunity.ownerName, departmentName: null, role: '', owner: true },
          ...opportunity.members.map((m) => ({ ...m, owner: false })),
        ]}
        locale={{ emptyText: <EmptyState title={t('opp.teamEmpty')} /> }}
        renderItem={(m) => (
          <List.Item style={{ paddingInline: 0 }} data-testid={m.owner ? undefined : 'team-member'}>
            <Flex gap={8} align="center" style={{ width: '100%' }}>
              <Avatar size="small" icon={<UserOutlined />} style={{ background: m.owner ? '#1f5fbf' : '#8c8c8c' }} />
              <Flex vertical style={{ flex: 1, minWidth: 0 }}>
                <Typography.Text ellipsis>{m.name}</Typography.Text>
                {m.departmentName && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {m.departmentName}
                  </Typography.Text>
                )}
              </Flex>
              <Tag color={m.owner ? 'blue' : undefined} style={{ marginInlineEnd: 0 }}>
                {m.owner ? t('opp.owner') : m.role}
              </Tag>
            </Flex>
          </List.Item>
        )}
      />
      {opportunity.members.length === 0 && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('opp.teamEmptyHint')}
        </Typography.Text>
      )}
      {editable && <TeamModal opportunity={opportunity} open={editing} onClose={() => setEditing(false)} />}
    </Card>
  );
}
