import { SwapOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { App, Button, DatePicker, Form, Input, Popconfirm, Tag, Typography, type TableProps } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import type { StandingDelegation } from '../../../common/schemas/workflows';
import { useWrite } from '../../api/queries';
import { delegationsApi } from '../../api/resources';
import { useMe } from '../../auth/session';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { useErrorToast, useFormSubmitError, type FormFields } from '../../components/errors';
import { firmToday, formatDate } from '../../components/format';
import { useRules } from '../../components/rules';
import { useLocale, useT } from '../../i18n';
import { PersonSelect } from './approval-ui';

type Values = { delegateId?: string; range?: [Dayjs, Dayjs]; note?: string };
const FIELDS: FormFields = { names: ['delegateId', 'range', 'note'], rename: { startsOn: 'range', endsOn: 'range' } };

function Revoke({ delegation }: { delegation: StandingDelegation }) {
  const t = useT();
  const toast = useErrorToast();
  const { message } = App.useApp();
  const revoke = useWrite(() => delegationsApi.revoke(delegation.id), [delegationsApi.path]);
  return (
    <Popconfirm
      title={t('delegation.revokeConfirm', { name: delegation.delegateName })}
      description={<div style={{ maxWidth: 300 }}>{t('delegation.revokeHint')}</div>}
      okButtonProps={{ danger: true }}
      okText={t('delegation.revoke')}
      onConfirm={() =>
        revoke
          .mutateAsync(undefined)
          .then(() => void message.success(t('delegation.revoked')))
          .catch(toast)
      }
    >
      <Button type="link" size="small" danger data-testid="delegation-revoke">
        {t('delegation.revoke')}
      </Button>
    </Popconfirm>
  );
}

/**
 * 审批委托: while I am away (from–to, the firm's calendar), approval steps that reach me go to a colleague
 * instead. Steps already waiting stay mine (each can be handed on from the inbox).
 */
export function DelegationsPanel() {
  const t = useT();
  const { locale } = useLocale();
  const me = useMe();
  const rules = useRules();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const onError = useFormSubmitError(form, FIELDS);
  const delegations = useQuery({ queryKey: [delegationsApi.path], queryFn: delegationsApi.list });
  const create = useWrite(delegationsApi.create, [delegationsApi.path]);
  const today = firmToday();

  const submit = async (v: Values) => {
    try {
      await create.mutateAsync({
        delegateId: v.delegateId!,
        startsOn: v.range![0].format('YYYY-MM-DD'),
        endsOn: v.range![1].format('YYYY-MM-DD'),
        note: v.note?.trim() || null,
      });
      form.resetFields();
      void message.success(t('delegation.created'));
    } catch (error) {
      onError(error);
    }
  };

  const columns: TableProps<StandingDelegation>['columns'] = [
    { key: 'delegate', title: t('delegation.delegate'), render: (_, d) => d.delegateName },
    {
      key: 'period',
      title: t('delegation.period'),
      render: (_, d) => (
        <span>
          {formatDate(d.startsOn, locale)} – {formatDate(d.endsOn, locale)}{' '}
          {d.startsOn <= today && today <= d.endsOn ? (
            <Tag color="green">{t('delegation.inEffect')}</Tag>
          ) : d.endsOn < today ? (
            <Tag>{t('delegation.ended')}</Tag>
          ) : (
            <Tag color="blue">{t('delegation.upcoming')}</Tag>
          )}
        </span>
      ),
    },
    {
      key: 'note',
      title: t('delegation.note'),
      render: (_, d) => d.note ?? <Typography.Text type="secondary">—</Typography.Text>,
    },
    { key: 'actions', title: t('common.actions'), render: (_, d) => <Revoke delegation={d} /> },
  ];

  return (
    <>
      <Typography.Paragraph type="secondary">{t('delegation.hint')}</Typography.Paragraph>
      <Form<Values>
        form={form}
        layout="inline"
        name="delegation"
        onFinish={submit}
        style={{ marginBottom: 16, rowGap: 8 }}
      >
        <Form.Item
          name="delegateId"
          label={t('delegation.delegate')}
          rules={[rules.required('delegation.delegate', 'select')]}
        >
          <PersonSelect
            exclude={[me.user.id]}
            placeholder={t('approval.pickColleague')}
            style={{ width: 240 }}
            data-testid="delegation-delegate"
          />
        </Form.Item>
        <Form.Item
          name="range"
          label={t('delegation.period')}
          rules={[{ ...rules.required('delegation.period', 'select'), type: 'array' }]}
        >
          <DatePicker.RangePicker
            disabledDate={(d) => d.isBefore(dayjs(today), 'day')}
            style={{ width: 260 }}
            data-testid="delegation-range"
          />
        </Form.Item>
        <Form.Item name="note" label={t('delegation.note')} rules={[{ max: 500 }]}>
          <Input placeholder={t('delegation.notePlaceholder')} style={{ width: 220 }} autoComplete="off" />
        </Form.Item>
        <Button
          type="primary"
          htmlType="submit"
          icon={<SwapOutlined />}
          loading={create.isPending}
          data-testid="delegation-create"
        >
          {t('delegation.create')}
        </Button>
      </Form>
      <DataTable<StandingDelegation>
        data-testid="delegations-table"
        columns={columns}
        dataSource={delegations.data}
        query={delegations}
        pagination={false}
        empty={<EmptyState title={t('delegation.empty')} hint={t('delegation.emptyHint')} />}
      />
    </>
  );
}
