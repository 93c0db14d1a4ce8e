import { Col, Divider, Form, Input, Row, Select } from 'antd';
import { useEffect, useMemo } from 'react';
import { Email, Phone } from '../../../common/schemas/common';
import type { Lead } from '../../../common/schemas/leads';
import { useAllBusinessLines, useAllRegions, useDirectory, useWrite } from '../../api/queries';
import { activitiesApi, campaignsApi, leadsApi } from '../../api/resources';
import { can, useMe } from '../../auth/session';
import { useFormSubmitError, type FormFields } from '../../components/errors';
import { FormDrawer } from '../../components/FormDrawer';
import { personLabel } from '../../components/labels';
import { useRules } from '../../components/rules';
import { useLocale, useT } from '../../i18n';
import { activeOptions, SourceSelect, useCampaignOptions } from './lead-ui';

type Values = {
  companyName: string;
  contactName?: string;
  contactTitle?: string;
  phone?: string;
  email?: string;
  wechat?: string;
  campaignId?: string;
  businessLineId?: string;
  regionId?: string;
  source?: string;
  notes?: string;
  /** 'auto': the assignment rules decide; otherwise a user id. */
  owner?: string;
};

const FIELDS: FormFields = {
  names: [
    'companyName',
    'contactName',
    'contactTitle',
    'phone',
    'email',
    'wechat',
    'campaignId',
    'businessLineId',
    'regionId',
    'source',
    'notes',
    'owner',
  ],
  rename: { ownerId: 'owner', campaign: 'campaignId', businessLine: 'businessLineId', region: 'regionId' },
};
export const LEAD_INVALIDATES = [leadsApi.path, campaignsApi.path, activitiesApi.path];

/** onCreated's `byRules`: nobody was chosen, the assignment rules decided. */
type Props = {
  open: boolean;
  lead: Lead | null;
  onClose: () => void;
  onCreated?: (lead: Lead, byRules: boolean) => void;
};

/** Creates a lead (lead = null; the assignment rules decide who gets it unless someone is chosen) or edits one. */
export function LeadFormDrawer({ open, lead, onClose, onCreated }: Props) {
  const t = useT();
  const { locale } = useLocale();
  const me = useMe();
  const rules = useRules();
  const [form] = Form.useForm<Values>();
  const onError = useFormSubmitError(form, FIELDS);
  const businessLines = useAllBusinessLines();
  const regions = useAllRegions();
  const campaigns = useCampaignOptions(open);
  const assigner = can(me, 'leads:assign');
  const people = useDirectory(open && !lead && assigner);
  const ownerOptions = useMemo(() => {
    const options = [
      { value: 'auto', label: t('lead.ownerAuto') },
      { value: me.user.id, label: t('lead.ownerMe', { name: me.user.displayName }) },
    ];
    if (assigner) {
      for (const u of people.data ?? [])
        if (u.id !== me.user.id) options.push({ value: u.id, label: personLabel(locale, u) });
    }
    return options;
  }, [t, me, assigner, people.data, locale]);

  const save = useWrite((v: Values) => {
    const fields = {
      companyName: v.companyName,
      contactName: v.contactName || null,
      contactTitle: v.contactTitle || null,
      phone: v.phone || null,
      email: v.email || null,
      wechat: v.wechat || null,
      campaignId: v.campaignId ?? null,
      businessLineId: v.businessLineId ?? null,
      regionId: v.regionId ?? null,
      source: v.source || null,
      notes: v.notes || null,
    };
    if (lead) return leadsApi.update(lead.id, fields);
    return leadsApi.create({ ...fields, ...(v.owner && v.owner !== 'auto' ? { ownerId: v.owner } : {}) });
  }, LEAD_INVALIDATES);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue(
      lead
        ? {
            companyName: lead.companyName,
            contactName: lead.contactName ?? undefined,
            contactTitle: lead.contactTitle ?? undefined,
            phone: lead.phone ?? undefined,
            email: lead.email ?? undefined,
            wechat: lead.wechat ?? undefined,
            campaignId: lead.campaignId ?? undefined,
            businessLineId: lead.businessLineId ?? undefined,
            regionId: lead.regionId ?? undefined,
            source: lead.source ?? undefined,
            notes: lead.notes ?? undefined,
          }
        : { owner: 'auto' },
    );
  }, [open, lead, form]);

  const submit = async (values: Values) => {
    try {
      const saved = await save.mutateAsync(values);
      onClose();
      if (lead) return;
      onCreated?.(saved, !values.owner || values.owner === 'auto');
    } catch (error) {
      onError(error);
    }
  };

  const campaignOptions = campaigns.options.map((c) => ({
    value: c.value,
    label: c.label,
    disabled: c.status === 'cancelled' && c.value !== lead?.campaignId,
  }));
  // A campaign picked for a new lead suggests its source.
  const onCampaign = (campaignId: string | undefined) => {
    if (campaignId && !form.getFieldValue('source')) form.setFieldValue('source', '市场活动');
  };

  return (
    <FormDrawer
      open={open}
      onClose={onClose}
      title={lead ? t('lead.editTitle', { name: lead.companyName }) : t('lead.createTitle')}
      onSave={() => form.submit()}
      saving={save.isPending}
      saveTestId="lead-form-submit"
    >
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={submit}
        name="lead"
        scrollToFirstError={{ block: 'center' }}
      >
        <Divider titlePlacement="start" plain style={{ marginTop: 0 }}>
          {t('lead.sectionCompany')}
        </Divider>
        <Row gutter={16}>
          <Col span={24}>
            <Form.Item
              name="companyName"
              label={t('lead.company')}
              rules={[rules.required('lead.company'), { max: 200 }]}
            >
              <Input autoComplete="off" placeholder={t('lead.companyPlaceholder')} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="contactName" label={t('lead.contact')} rules={[{ max: 100 }]}>
              <Input autoComplete="off" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="contactTitle" label={t('lead.contactTitle')} rules={[{ max: 100 }]}>
              <Input autoComplete="off" placeholder={t('lead.contactTitlePlaceholder')} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="phone" label={t('lead.phone')} rules={[rules.schema(Phone)]}>
              <Input autoComplete="off" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="email" label={t('lead.email')} rules={[rules.schema(Email)]}>
              <Input type="email" autoComplete="off" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="wechat" label={t('lead.wechat')} rules={[{ max: 100 }]}>
              <Input autoComplete="off" />
            </Form.Item>
          </Col>
        </Row>

        <Divider titlePlacement="start" plain>
          {t('lead.sectionOrigin')}
        </Divider>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="campaignId" label={t('lead.campaign')}>
              <Select
                allowClear
                showSearch={{ optionFilterProp: 'label' }}
                options={campaignOptions}
                loading={campaigns.isLoading}
                onChange={onCampaign}
                notFoundContent={campaigns.isLoading ? undefined : t('lead.noCampaigns')}
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="source" label={t('lead.source')} extra={t('lead.sourceHelp')}>
              <SourceSelect />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="businessLineId" label={t('lead.businessLine')}>
              <Select
                allowClear
                showSearch={{ optionFilterProp: 'label' }}
                options={activeOptions(businessLines.data, lead?.businessLineId)}
                loading={businessLines.isLoading}
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="regionId" label={t('lead.region')}>
              <Select
                allowClear
                showSearch={{ optionFilterProp: 'label' }}
                options={activeOptions(regions.data, lead?.regionId)}
                loading={regions.isLoading}
              />
            </Form.Item>
          </Col>
          {!lead && (
            <Col span={24}>
              <Form.Item name="owner" label={t('lead.owner')} extra={t('lead.ownerHelp')}>
                <Select
                  showSearch={{ optionFilterProp: 'label' }}
                  options={ownerOptions}
                  loading={people.isLoading}
                  data-testid="lead-owner-select"
                />
              </Form.Item>
            </Col>
          )}
          <Col span={24}>
            <Form.Item name="notes" label={t('lead.notes')} rules={[{ max: 4000 }]}>
              <Input.TextArea rows={3} placeholder={t('lead.notesPlaceholder')} />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </FormDrawer>
  );
}
