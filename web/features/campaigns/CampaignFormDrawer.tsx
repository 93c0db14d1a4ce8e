import { App, Col, DatePicker, Form, Input, Row, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect } from 'react';
import { CAMPAIGN_STATUSES, CAMPAIGN_TYPES, type Campaign } from '../../../common/schemas/campaigns';
import { Money } from '../../../common/schemas/common';
import { useAllBusinessLines, useWrite } from '../../api/queries';
import { campaignsApi } from '../../api/resources';
import { FormDrawer } from '../../components/FormDrawer';
import { useFormSubmitError, type FormFields } from '../../components/errors';
import { useRules } from '../../components/rules';
import { useT } from '../../i18n';
import { MoneyInput } from '../../components/MoneyInput';

type Values = {
  name: string;
  type: (typeof CAMPAIGN_TYPES)[number];
  status: (typeof CAMPAIGN_STATUSES)[number];
  dates?: [Dayjs | null, Dayjs | null] | null;
  budget?: string | null;
  businessLineIds: string[];
  description?: string;
};

const FIELDS: FormFields = {
  names: ['name', 'type', 'status', 'dates', 'budget', 'businessLineIds', 'description'],
  rename: { startsOn: 'dates', endsOn: 'dates', businessLine: 'businessLineIds' },
};

/** Leads and opportunities point at campaigns, and so do the campaign pickers: refresh them all. */
export const CAMPAIGN_INVALIDATES = [campaignsApi.path, '/api/v1/leads', '/api/v1/opportunities'];

type Props = {
  open: boolean;
  campaign: Campaign | null;
  onClose: () => void;
  onCreated?: (campaign: Campaign) => void;
};

/** Creates a campaign (campaign = null) or edits one. */
export function CampaignFormDrawer({ open, campaign, onClose, onCreated }: Props) {
  const t = useT();
  const rules = useRules();
  const [form] = Form.useForm<Values>();
  const { message } = App.useApp();
  const onError = useFormSubmitError(form, FIELDS);
  const lines = useAllBusinessLines();
  const current = new Set(campaign?.businessLines.map((l) => l.id));
  const lineOptions = (lines.data ?? [])
    .filter((l) => l.active || current.has(l.id))
    .map((l) => ({ value: l.id, label: l.name, disabled: !l.active && !current.has(l.id) }));

  const save = useWrite((v: Values) => {
    const fields = {
      name: v.name,
      type: v.type,
      status: v.status,
      startsOn: v.dates?.[0]?.format('YYYY-MM-DD') ?? null,
      endsOn: v.dates?.[1]?.format('YYYY-MM-DD') ?? null,
      budget: v.budget || null,
      businessLineIds: v.businessLineIds ?? [],
      description: v.description?.trim() || null,
    };
    return campaign ? campaignsApi.update(campaign.id, fields) : campaignsApi.create(fields);
  }, CAMPAIGN_INVALIDATES);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue(
      campaign
        ? {
            name: campaign.name,
            type: campaign.type,
            status: campaign.status,
            dates:
              campaign.startsOn || campaign.endsOn
                ? [campaign.startsOn ? dayjs(campaign.startsOn) : null, campaign.endsOn ? dayjs(campaign.endsOn) : null]
                : null,
            budget: campaign.budget,
            businessLineIds: campaign.businessLines.map((l) => l.id),
            description: campaign.description ?? undefined,
          }
        : { type: 'seminar', status: 'planned', businessLineIds: [] },
    );
  }, [open, campaign, form]);

  const submit = async (values: Values) => {
    try {
      const saved = await save.mutateAsync(values);
      void message.success(t(campaign ? 'common.saved' : 'common.created'));
      onClose();
      if (!campaign) onCreated?.(saved);
    } catch (error) {
      onError(error);
    }
  };

  return (
    <FormDrawer
      open={open}
      onClose={onClose}
      title={campaign ? t('campaigns.editTitle', { name: campaign.name }) : t('campaigns.createTitle')}
      onSave={() => form.submit()}
      saving={save.isPending}
      saveTestId="campaign-form-submit"
    >
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={submit}
        name="campaign"
        scrollToFirstError={{ block: 'center' }}
      >
        <Row gutter={16}>
          <Col span={24}>
            <Form.Item name="name" label={t('campaigns.name')} rules={[rules.required('campaigns.name'), { max: 200 }]}>
              <Input autoComplete="off" placeholder={t('campaigns.namePlaceholder')} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="type" label={t('campaigns.type')} rules={[rules.required('campaigns.type', 'select')]}>
              <Select options={CAMPAIGN_TYPES.map((v) => ({ value: v, label: t(`campaigns.type.${v}`) }))} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item
              name="status"
              label={t('campaigns.status')}
              rules={[rules.required('campaigns.status', 'select')]}
            >
              <Select options={CAMPAIGN_STATUSES.map((v) => ({ value: v, label: t(`campaigns.status.${v}`) }))} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="dates" label={t('campaigns.dates')}>
              <DatePicker.RangePicker
                allowEmpty={[true, true]}
                style={{ width: '100%' }}
                placeholder={[t('campaigns.startsOn'), t('campaigns.endsOn')]}
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="budget" label={t('campaigns.budget')} rules={[rules.schema(Money)]}>
              <MoneyInput aria-label={t('campaigns.budget')} data-testid="campaign-budget" />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item
              name="businessLineIds"
              label={t('campaigns.businessLines')}
              extra={t('campaigns.businessLinesHelp')}
            >
              <Select
                mode="multiple"
                allowClear
                options={lineOptions}
                loading={lines.isLoading}
                optionFilterProp="label"
              />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="description" label={t('campaigns.description')} rules={[{ max: 4000 }]}>
              <Input.TextArea rows={4} placeholder={t('campaigns.descriptionPlaceholder')} />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </FormDrawer>
  );
}
