import { PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  DatePicker,
  Flex,
  Form,
  List,
  Modal,
  Select,
  Switch,
  Tag,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import type { Order } from '../../../common/schemas/contracts';
import { mayUseDirectory } from '../../../common/permissions';
import { useDirectory, useWrite } from '../../api/queries';
import { engagementsApi } from '../../api/resources';
import { can, useMe } from '../../auth/session';
import { errorText } from '../../components/errors';
import { personLabel } from '../../components/labels';
import { LoadError } from '../../components/QueryState';
import { useLocale, useT } from '../../i18n';
import { MoneyCell } from '../contracts/contract-ui';
import { testId } from '../opportunities/opportunity-ui';
import { ENGAGEMENT_INVALIDATES, EngagementStatusTag, ProgressBar } from './engagement-ui';

/** The order's engagements, and (to those who run engagements) making them from its lines once it is confirmed. */
export function OrderEngagementsCard({ order }: { order: Order }) {
  const t = useT();
  const me = useMe();
  const [making, setMaking] = useState(false);
  const list = useQuery({
    queryKey: [engagementsApi.path, 'of-order', order.id],
    queryFn: () => engagementsApi.list({ orderId: order.id, pageSize: 100, page: 1 }),
    enabled: can(me, 'engagements:read'),
  });
  if (!can(me, 'engagements:read')) return null;
  const mayMake = can(me, 'engagements:write') && order.status === 'confirmed';
  return (
    <Card
      size="small"
      title={t('engagement.ofOrder')}
      data-testid="order-engagements"
      extra={
        mayMake && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setMaking(true)}
            data-testid="engagement-create"
          >
            {t('engagement.createFromOrder')}
          </Button>
        )
      }
    >
      {list.error ? (
        <LoadError query={list} compact />
      ) : (
        <List
          size="small"
          loading={list.isPending}
          locale={{ emptyText: t('engagement.ofOrderEmpty') }}
          dataSource={list.data?.items ?? []}
          renderItem={(e) => (
            <List.Item data-testid="order-engagement" extra={<ProgressBar percent={e.progress} />}>
              <Flex vertical gap={2}>
                <Flex gap={8} wrap align="center">
                  <Link to={`/engagements/${e.id}`} style={{ whiteSpace: 'normal' }}>
                    {e.title}
                  </Link>
                  <EngagementStatusTag status={e.status} />
                </Flex>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {e.leadName} · {e.currentPhase ?? t('engagement.allDone')}
                </Typography.Text>
              </Flex>
            </List.Item>
          )}
        />
      )}
      {mayMake && <CreateEngagementsModal order={order} open={making} onClose={() => setMaking(false)} />}
    </Card>
  );
}

type Values = { lineIds: string[]; merge: boolean; leadId: string; startsOn?: Dayjs | null };

function CreateEngagementsModal({ order, open, onClose }: { order: Order; open: boolean; onClose: () => void }) {
  const t = useT();
  const { locale } = useLocale();
  const me = useMe();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [refused, setRefused] = useState<unknown>(null);
  const directory = useDirectory(open && mayUseDirectory(me.grants));
  const create = useWrite(
    (v: Values) =>
      engagementsApi.create({
        orderId: order.id,
        lineIds: v.lineIds,
        merge: v.merge,
        leadId: v.leadId,
        startsOn: v.startsOn ? v.startsOn.format('YYYY-MM-DD') : undefined,
      }),
    ENGAGEMENT_INVALIDATES,
  );
  useEffect(() => {
    if (!open) return;
    setRefused(null);
    form.resetFields();
    form.setFieldsValue({ lineIds: order.lines.map((l) => l.id), merge: false, leadId: me.user.id });
  }, [open, order, form, me.user.id]);
  const people = (directory.data ?? []).map((u) => ({
    value: u.id,
    label: personLabel(locale, u) + (u.departmentName ? ` · ${u.departmentName}` : ''),
  }));
  if (!people.some((p) => p.value === me.user.id)) people.unshift({ value: me.user.id, label: me.user.displayName });

  return (
    <Modal
      open={open}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('engagement.createFromOrder')}
      confirmLoading={create.isPending}
      title={t('engagement.createTitle', { number: order.number ?? '' })}
      destroyOnHidden
      okButtonProps={testId('engagement-create-ok')}
    >
      {Boolean(refused) && (
        <Alert
          type="error"
          showIcon
          title={errorText(t, refused)}
          style={{ marginBottom: 12 }}
          data-testid="engagement-create-error"
        />
      )}
      <Form<Values>
        form={form}
        layout="vertical"
        name="engagement-create"
        onFinish={(v) => {
          setRefused(null);
          return create.mutateAsync(v).then((r) => {
            void message.success(t('engagement.created', { n: r.items.length }));
            onClose();
          }, setRefused);
        }}
      >
        <Form.Item
          name="lineIds"
          label={t('engagement.createLines')}
          extra={t('engagement.createLinesHint')}
          rules={[
            {
              required: true,
              type: 'array',
              min: 1,
              message: t('form.select', { field: t('engagement.createLines') }),
            },
          ]}
        >
          <Checkbox.Group style={{ width: '100%' }}>
            <Flex vertical gap={6} style={{ width: '100%' }}>
              {order.lines.map((l) => (
                <Checkbox key={l.id} value={l.id} data-testid="engagement-create-line">
                  <Flex gap={8} wrap>
                    <span style={{ whiteSpace: 'normal' }}>{l.description}</span>
                    <Tag style={{ marginInlineEnd: 0 }}>{l.businessLineName}</Tag>
                    <MoneyCell value={l.amount} />
                  </Flex>
                </Checkbox>
              ))}
            </Flex>
          </Checkbox.Group>
        </Form.Item>
        <Form.Item
          name="merge"
          label={t('engagement.createMerge')}
          extra={t('engagement.createMergeHint')}
          valuePropName="checked"
        >
          <Switch />
        </Form.Item>
        <Form.Item name="leadId" label={t('engagement.createLead')} rules={[{ required: true }]}>
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            options={people}
            loading={directory.isFetching}
            data-testid="engagement-create-lead"
          />
        </Form.Item>
        <Form.Item name="startsOn" label={t('engagement.startsOn')}>
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
        <Typography.Text type="secondary">{t('engagement.createTemplateDefault')}</Typography.Text>
      </Form>
    </Modal>
  );
}
