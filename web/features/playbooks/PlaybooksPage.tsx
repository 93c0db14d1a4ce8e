import { DeleteOutlined, EditOutlined, MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Divider,
  Flex,
  Form,
  Input,
  InputNumber,
  List,
  Popconfirm,
  Select,
  Switch,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { LEAD_STATUSES, type LeadStatus } from '../../../common/schemas/leads';
import type { Playbook, PlaybookKind } from '../../../common/schemas/playbooks';
import { useAllBusinessLines, useDirectory, useWrite } from '../../api/queries';
import { pipelinesApi } from '../../api/resources';
import { useFormSubmitError, type FormFields } from '../../components/errors';
import { formatDateTime } from '../../components/format';
import { FormDrawer } from '../../components/FormDrawer';
import { PageContainer } from '../../components/PageContainer';
import { Loaded } from '../../components/QueryState';
import { useRules } from '../../components/rules';
import { useLocale, useT, type WebMessageKey } from '../../i18n';
import { categoryName, useActivityCategories } from '../activities/activity-ui';
import { stageName } from '../opportunities/opportunity-ui';
import { knowledgeSearch, playbooksApi, type ArticleOption } from './api';

/** What a playbook is for: a line's stage, or a line's (or every line's) lead status. */
type Slot = {
  kind: PlaybookKind;
  businessLineId: string | null;
  stageId: string | null;
  leadStatus: LeadStatus | null;
  label: string;
};

type Values = {
  activities: {
    subject: string;
    category: string;
    dueOffsetDays: number;
    assignee: string;
    notes?: string | null;
  }[];
  checklist: { id?: string; text: string }[];
  templateIds: string[];
  articleIds: string[];
  active: boolean;
};

const FIELDS: FormFields = { names: ['activities', 'checklist', 'templateIds', 'articleIds', 'active'] };

/** A picker of knowledge articles by title (templates only for `kind` template), searched as one types. */
function ArticlePicker({
  kind,
  value,
  onChange,
  placeholder,
  testId,
}: {
  kind?: string;
  value?: string[];
  onChange?: (ids: string[]) => void;
  placeholder: string;
  testId: string;
}) {
  const [q, setQ] = useState('');
  const [known, setKnown] = useState<Record<string, string>>({});
  const found = useQuery({
    queryKey: ['/api/v1/knowledge', 'picker', kind ?? 'all', q],
    queryFn: () => knowledgeSearch({ kind, q: q || undefined }),
    staleTime: 30_000,
  });
  useEffect(() => {
    if (found.data)
      setKnown((k) => ({ ...k, ...Object.fromEntries(found.data.map((a: ArticleOption) => [a.id, a.title])) }));
  }, [found.data]);
  const options = [
    ...(found.data ?? []).map((a) => ({ value: a.id, label: a.title })),
    ...(value ?? [])
      .filter((id) => !found.data?.some((a) => a.id === id))
      .map((id) => ({
        value: id,
        label: known[id] ?? `${id.slice(0, 8)}…`,
      })),
  ];
  return (
    <Select
      mode="multiple"
      showSearch
      filterOption={false}
      onSearch={setQ}
      loading={found.isFetching}
      value={value}
      onChange={onChange}
      options={options}
      placeholder={placeholder}
      data-testid={testId}
      style={{ width: '100%' }}
    />
  );
}

function PlaybookDrawer({
  slot,
  playbook,
  onClose,
}: {
  slot: Slot | undefined;
  playbook: Playbook | undefined;
  onClose: () => void;
}) {
  const t = useT();
  const { locale } = useLocale();
  const rules = useRules();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const onError = useFormSubmitError(form, FIELDS);
  const categories = useActivityCategories();
  const directory = useDirectory();
  const save = useWrite(
    (v: Values) =>
      playbook
        ? playbooksApi.update(playbook.id, v)
        : playbooksApi.create({
            kind: slot!.kind,
            businessLineId: slot!.businessLineId,
            stageId: slot!.stageId,
            leadStatus: slot!.leadStatus,
            ...v,
          }),
    [playbooksApi.path],
  );
  const remove = useWrite(() => playbooksApi.remove(playbook!.id), [playbooksApi.path]);

  useEffect(() => {
    if (!slot) return;
    form.resetFields();
    form.setFieldsValue(
      playbook
        ? {
            activities: playbook.activities.map((a) => ({ ...a, notes: a.notes ?? undefined })),
            checklist: playbook.checklist,
            templateIds: playbook.templateIds,
            articleIds: playbook.articleIds,
            active: playbook.active,
          }
        : { activities: [], checklist: [], templateIds: [], articleIds: [], active: true },
    );
  }, [slot, playbook, form]);

  const assignees = useMemo(
    () => [
      { value: 'owner', label: t('playbook.assigneeOwner') },
      { value: 'owner-manager', label: t('playbook.assigneeManager') },
      ...(directory.data ?? []).map((u) => ({
        value: u.id,
        label: u.departmentName ? `${u.displayName}（${u.departmentName}）` : u.displayName,
      })),
    ],
    [directory.data, t],
  );
  const categoryOptions = (categories.data ?? [])
    .filter((c) => c.active)
    .map((c) => ({ value: c.code, label: categoryName(c, locale) }));

  const submit = async (values: Values) => {
    try {
      await save.mutateAsync({
        ...values,
        activities: (values.activities ?? []).map((a) => ({ ...a, notes: a.notes || null })),
        checklist: values.checklist ?? [],
      });
      void message.success(t(playbook ? 'common.saved' : 'common.created'));
      onClose();
    } catch (error) {
      onError(error);
    }
  };
  const title = slot ? t(playbook ? 'playbook.editTitle' : 'playbook.createTitle', { target: slot.label }) : '';

  return (
    <FormDrawer
      open={slot !== undefined}
      width={720}
      title={title}
      onClose={onClose}
      onSave={() => form.submit()}
      saving={save.isPending}
      saveTestId="playbook-submit"
    >
      <Form<Values> form={form} layout="vertical" onFinish={submit} name="playbook" data-testid="playbook-form">
        <Typography.Title level={5}>{t('playbook.activities')}</Typography.Title>
        <Form.List name="activities">
          {(fields, { add, remove: drop }) => (
            <Flex vertical gap={8}>
              {fields.map((field) => (
                <Card size="small" key={field.key} data-testid="playbook-activity-row">
                  <Flex wrap gap={8} align="flex-start">
                    <Form.Item
                      name={[field.name, 'subject']}
                      label={t('playbook.subject')}
                      rules={[rules.required('playbook.subject'), { max: 200 }]}
                      style={{ flex: '1 1 220px', marginBottom: 8 }}
                    >
                      <Input maxLength={200} data-testid="playbook-activity-subject" />
                    </Form.Item>
                    <Form.Item
                      name={[field.name, 'category']}
                      label={t('playbook.category')}
                      rules={[rules.required('playbook.category', 'select')]}
                      style={{ flex: '0 1 140px', minWidth: 120, marginBottom: 8 }}
                    >
                      <Select options={categoryOptions} data-testid="playbook-activity-category" />
                    </Form.Item>
                    <Form.Item
                      name={[field.name, 'dueOffsetDays']}
                      label={t('playbook.offset')}
                      tooltip={t('playbook.offsetHelp')}
                      rules={[{ required: true, type: 'number', min: -365, max: 365 }]}
                      style={{ flex: '0 1 150px', marginBottom: 8 }}
                    >
                      <InputNumber
                        min={-365}
                        max={365}
                        precision={0}
                        style={{ width: '100%' }}
                        data-testid="playbook-activity-offset"
                      />
                    </Form.Item>
                    <Form.Item
                      name={[field.name, 'assignee']}
                      label={t('playbook.assignee')}
                      rules={[rules.required('playbook.assignee', 'select')]}
                      style={{ flex: '1 1 200px', marginBottom: 8 }}
                    >
                      <Select
                        showSearch
                        optionFilterProp="label"
                        options={assignees}
                        data-testid="playbook-activity-assignee"
                      />
                    </Form.Item>
                    <Form.Item
                      name={[field.name, 'notes']}
                      label={t('playbook.notes')}
                      style={{ flex: '1 1 100%', marginBottom: 0 }}
                    >
                      <Input maxLength={2000} />
                    </Form.Item>
                  </Flex>
                  <Button
                    type="link"
                    danger
                    size="small"
                    icon={<MinusCircleOutlined />}
                    onClick={() => drop(field.name)}
                    style={{ paddingInline: 0 }}
                    data-testid="playbook-activity-remove"
                  >
                    {t('playbook.remove')}
                  </Button>
                </Card>
              ))}
              <Button
                type="dashed"
                icon={<PlusOutlined />}
                onClick={() => add({ category: 'call', dueOffsetDays: 1, assignee: 'owner' })}
                data-testid="playbook-add-activity"
              >
                {t('playbook.addActivity')}
              </Button>
            </Flex>
          )}
        </Form.List>
        <Divider />
        <Typography.Title level={5}>{t('playbook.checklist')}</Typography.Title>
        <Form.List name="checklist">
          {(fields, { add, remove: drop }) => (
            <Flex vertical gap={4}>
              {fields.map((field) => (
                <Flex key={field.key} gap={8} align="baseline" data-testid="playbook-item-row">
                  <Form.Item name={[field.name, 'id']} hidden>
                    <Input />
                  </Form.Item>
                  <Form.Item
                    name={[field.name, 'text']}
                    rules={[rules.required('playbook.item'), { max: 300 }]}
                    style={{ flex: 1, marginBottom: 8 }}
                  >
                    <Input maxLength={300} placeholder={t('playbook.item')} data-testid="playbook-item-text" />
                  </Form.Item>
                  <Button
                    type="text"
                    danger
                    icon={<MinusCircleOutlined />}
                    aria-label={t('playbook.remove')}
                    onClick={() => drop(field.name)}
                    data-testid="playbook-item-remove"
                  />
                </Flex>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})} data-testid="playbook-add-item">
                {t('playbook.addItem')}
              </Button>
            </Flex>
          )}
        </Form.List>
        <Divider />
        <Form.Item name="templateIds" label={t('playbook.templates')}>
          <ArticlePicker kind="template" placeholder={t('playbook.pickTemplates')} testId="playbook-templates" />
        </Form.Item>
        <Form.Item name="articleIds" label={t('playbook.articles')}>
          <ArticlePicker placeholder={t('playbook.pickArticles')} testId="playbook-articles" />
        </Form.Item>
        <Form.Item
          name="active"
          label={t('playbook.activeLabel')}
          valuePropName="checked"
          extra={t('playbook.activeHelp')}
        >
          <Switch />
        </Form.Item>
        {playbook && (
          <Popconfirm
            title={t('playbook.deleteTitle')}
            description={<div style={{ maxWidth: 320 }}>{t('playbook.deleteHint')}</div>}
            okText={t('common.delete')}
            okButtonProps={{ danger: true }}
            onConfirm={() =>
              remove.mutateAsync(undefined).then(() => {
                void message.success(t('common.deleted'));
                onClose();
              }, onError)
            }
          >
            <Button danger icon={<DeleteOutlined />} loading={remove.isPending} data-testid="playbook-delete">
              {t('common.delete')}
            </Button>
          </Popconfirm>
        )}
      </Form>
    </FormDrawer>
  );
}

/** One row of the list: what the playbook is for, a summary of it, and the action that writes or edits it. */
function SlotRow({ slot, playbook, onOpen }: { slot: Slot; playbook?: Playbook; onOpen: () => void }) {
  const t = useT();
  const { locale } = useLocale();
  return (
    <List.Item
      data-testid="playbook-slot"
      data-slot={slot.label}
      actions={[
        <Button
          key="open"
          size="small"
          type={playbook ? 'default' : 'primary'}
          icon={playbook ? <EditOutlined /> : <PlusOutlined />}
          onClick={onOpen}
          data-testid={`playbook-open-${slot.label}`}
        >
          {playbook ? t('common.edit') : t('playbook.create')}
        </Button>,
      ]}
    >
      <List.Item.Meta
        title={
          <Flex gap={6} align="center" wrap>
            <span>{slot.label}</span>
            {playbook && !playbook.active && <Tag>{t('playbook.inactive')}</Tag>}
          </Flex>
        }
        description={
          playbook ? (
            <Flex vertical gap={2}>
              <span>
                {t('playbook.count', { activities: playbook.activities.length, items: playbook.checklist.length })}
              </span>
              {playbook.activities.length > 0 && (
                <Typography.Text type="secondary" ellipsis style={{ fontSize: 12 }}>
                  {playbook.activities
                    .map(
                      (a) =>
                        `${a.subject}（${t('playbook.days', { n: a.dueOffsetDays >= 0 ? `+${a.dueOffsetDays}` : a.dueOffsetDays })}）`,
                    )
                    .join('、')}
                </Typography.Text>
              )}
              {playbook.updatedByName && (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('playbook.updated', {
                    name: playbook.updatedByName,
                    at: formatDateTime(playbook.updatedAt, locale),
                  })}
                </Typography.Text>
              )}
            </Flex>
          ) : (
            t('playbook.none')
          )
        }
      />
    </List.Item>
  );
}

/**
 * 销售指引: the playbooks of each business line's stages and of the lead statuses, for managers and administrators.
 * The line and the tab are in the address (?line=…&tab=lead), so a link opens the right list.
 */
export function PlaybooksPage() {
  const t = useT();
  const { locale } = useLocale();
  const [search, setSearch] = useSearchParams();
  const lines = useAllBusinessLines();
  const activeLines = (lines.data ?? []).filter((l) => l.active);
  const tab = (search.get('tab') === 'lead' ? 'lead' : 'opportunity') as PlaybookKind;
  const lineParam = search.get('line');
  const lineId = tab === 'lead' ? (lineParam ?? '') : (lineParam ?? activeLines[0]?.id ?? '');
  const setParam = (name: string, value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(name, value);
    else next.delete(name);
    setSearch(next, { replace: true });
  };

  const pipeline = useQuery({
    queryKey: [pipelinesApi.path, lineId],
    queryFn: () => pipelinesApi.get(lineId),
    enabled: tab === 'opportunity' && Boolean(lineId),
  });
  const list = useQuery({
    queryKey: [playbooksApi.path, tab],
    queryFn: () => playbooksApi.list({ kind: tab }),
  });
  const [open, setOpen] = useState<{ slot: Slot; playbook?: Playbook } | undefined>(undefined);
  const lineName = activeLines.find((l) => l.id === lineId)?.name ?? t('playbook.allLines');

  const slots: Slot[] =
    tab === 'opportunity'
      ? (pipeline.data?.stages ?? []).map((s) => ({
          kind: 'opportunity',
          businessLineId: lineId,
          stageId: s.id,
          leadStatus: null,
          label: stageName(s, locale),
        }))
      : LEAD_STATUSES.filter((s) => s !== 'converted').map((s) => ({
          kind: 'lead',
          businessLineId: lineId || null,
          stageId: null,
          leadStatus: s,
          label: t(`lead.status.${s}` as WebMessageKey),
        }));
  const playbookOf = (slot: Slot) =>
    list.data?.find(
      (p) =>
        p.kind === slot.kind &&
        (p.businessLineId ?? null) === slot.businessLineId &&
        (slot.kind === 'opportunity' ? p.stageId === slot.stageId : p.leadStatus === slot.leadStatus),
    );

  const lineOptions = [
    ...(tab === 'lead' ? [{ value: '', label: t('playbook.allLines') }] : []),
    ...activeLines.map((l) => ({ value: l.id, label: l.name })),
  ];

  return (
    <PageContainer title={t('playbook.nav')} hint={t('playbook.pageHint')}>
      <Tabs
        activeKey={tab}
        onChange={(key) => {
          const next = new URLSearchParams(search);
          next.set('tab', key);
          next.delete('line');
          setSearch(next, { replace: true });
        }}
        items={[
          { key: 'opportunity', label: t('playbook.tabOpportunity') },
          { key: 'lead', label: t('playbook.tabLead') },
        ]}
      />
      <Flex gap={8} align="center" wrap>
        <Typography.Text>{t('playbook.line')}</Typography.Text>
        <Select
          value={lineId}
          onChange={(v: string) => setParam('line', v)}
          options={lineOptions}
          style={{ minWidth: 200, maxWidth: '100%' }}
          data-testid="playbook-line"
        />
      </Flex>
      <Card size="small" title={lineName}>
        <Loaded query={tab === 'opportunity' ? pipeline : list}>
          {() => (
            <List
              dataSource={slots}
              rowKey={(s) => s.stageId ?? s.leadStatus ?? ''}
              renderItem={(slot) => (
                <SlotRow
                  slot={slot}
                  playbook={playbookOf(slot)}
                  onOpen={() => setOpen({ slot, playbook: playbookOf(slot) })}
                />
              )}
            />
          )}
        </Loaded>
      </Card>
      <PlaybookDrawer slot={open?.slot} playbook={open?.playbook} onClose={() => setOpen(undefined)} />
    </PageContainer>
  );
}
