import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined, UndoOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Flex,
  Input,
  InputNumber,
  Popconfirm,
  Select,
  Skeleton,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import {
  STAGE_KINDS,
  STAGE_REQUIREMENTS,
  type Pipeline,
  type StageRequirement,
} from '../../../common/schemas/opportunities';
import { isApiError } from '../../api/client';
import { useAllBusinessLines, useWrite } from '../../api/queries';
import { acceptanceChecklistsApi, conflictPairsApi, opportunitiesApi, pipelinesApi } from '../../api/resources';
import { DataTable } from '../../components/DataTable';
import { failedWithoutData, LoadError } from '../../components/QueryState';
import { useErrorToast } from '../../components/errors';
import { PageContainer } from '../../components/PageContainer';
import { useT, type Translate, type WebMessageKey } from '../../i18n';
import { requirementLabel } from '../opportunities/opportunity-ui';
import { SalesCycleTargetsPanel } from './SalesCycleTargetsPanel';

const TABS = ['stages', 'acceptance', 'conflicts', 'targets'] as const;
type Tab = (typeof TABS)[number];
const DEFAULT = 'default';
type Kind = (typeof STAGE_KINDS)[number];

let nextKey = 0;
const newKey = () => `new-${++nextKey}`;

/** A server error in one message: validation issues joined, else the server's own words. */
function useSaveError() {
  const toast = useErrorToast();
  const { message } = App.useApp();
  return (error: unknown) => {
    const issues = isApiError(error, 'VALIDATION_FAILED')
      ? (error.details as { issues?: { path: string; message: string }[] })?.issues
      : undefined;
    if (issues?.length) void message.error(issues.map((i) => i.message).join('；'));
    else toast(error);
  };
}

/** Saving one settings tab: the write, the caches it refreshes (opportunities too), a message either way. */
function useSettingsSave(
  write: () => Promise<unknown>,
  invalidates: string[],
  savedKey: WebMessageKey = 'common.saved',
) {
  const t = useT();
  const { message } = App.useApp();
  const onSaveError = useSaveError();
  const mutation = useWrite(write, [...invalidates, opportunitiesApi.path]);
  return {
    saving: mutation.isPending,
    save: () =>
      mutation.mutate(undefined, { onSuccess: () => void message.success(t(savedKey)), onError: onSaveError }),
  };
}

function useLineOptions() {
  const lines = useAllBusinessLines();
  const options = useMemo(
    () =>
      (lines.data ?? [])
        .filter((l) => l.active)
        .sort((a, b) => a.sortOrder - b.sortOrder)
        .map((l) => ({ value: l.id, label: l.name })),
    [lines.data],
  );
  return { options, isPending: lines.isPending };
}

function moveRow<T>(rows: T[], index: number, by: -1 | 1): T[] {
  const target = index + by;
  if (target < 0 || target >= rows.length) return rows;
  const next = [...rows];
  [next[index], next[target]] = [next[target], next[index]];
  return next;
}

function OrderButtons({ index, count, onMove }: { index: number; count: number; onMove: (by: -1 | 1) => void }) {
  const t = useT();
  return (
    <Flex gap={0}>
      <Button
        type="text"
        size="small"
        icon={<ArrowUpOutlined />}
        disabled={index === 0}
        aria-label={t('pipeline.up')}
        onClick={() => onMove(-1)}
        data-testid="row-up"
      />
      <Button
        type="text"
        size="small"
        icon={<ArrowDownOutlined />}
        disabled={index === count - 1}
        aria-label={t('pipeline.down')}
        onClick={() => onMove(1)}
        data-testid="row-down"
      />
    </Flex>
  );
}

// ---------- stages ----------

type StageRow = {
  key: string;
  id?: string;
  nameZh: string;
  nameEn: string;
  kind: Kind;
  probability: number | null;
  requiredFields: StageRequirement[];
};

/**
 * A required text cell of an editable settings table (a stage's or a requirement's name in one language):
 * red while empty, so a row that cannot be saved shows where.
 */
function requiredTextColumn<R>(props: {
  key: string;
  title: string;
  value: (row: R) => string;
  onChange: (row: R, value: string) => void;
  maxLength: number;
  width: number;
  testId?: string;
}) {
  return {
    key: props.key,
    title: props.title,
    render: (_: unknown, r: R) => (
      <Input
        value={props.value(r)}
        maxLength={props.maxLength}
        status={props.value(r).trim() ? undefined : 'error'}
        onChange={(e) => props.onChange(r, e.target.value)}
        style={{ width: props.width }}
        data-testid={props.testId}
      />
    ),
  };
}

function rowsOf(pipeline: Pipeline, keepIds: boolean): StageRow[] {
  return [...pipeline.stages]
    .filter((s) => s.active)
    .sort((a, b) => a.position - b.position)
    .map((s) => ({
      key: keepIds ? s.id : newKey(),
      id: keepIds ? s.id : undefined,
      nameZh: s.nameZh,
      nameEn: s.nameEn,
      kind: s.kind,
      probability: s.probability,
      requiredFields: s.requiredFields,
    }));
}

/** What is wrong with the rows before the server is asked (it checks the same and more). */
function problems(t: Translate, rows: StageRow[]): string[] {
  const out: string[] = [];
  if (rows.length < 3 || rows.length > 20) out.push(t('pipeline.countRule'));
  if (rows.filter((r) => r.kind === 'won').length !== 1 || rows.filter((r) => r.kind === 'lost').length !== 1)
    out.push(t('pipeline.closingRule'));
  if (rows.some((r) => !r.nameZh.trim() || !r.nameEn.trim())) out.push(t('pipeline.namesRule'));
  if (rows.some((r) => r.probability === null)) out.push(t('pipeline.probabilityRule'));
  return out;
}

function StagesPanel() {
  const t = useT();
  const [search, setSearch] = useSearchParams();
  const lines = useLineOptions();
  const line = search.get('line') ?? DEFAULT;
  const businessLineId = line === DEFAULT ? null : line;
  const pipeline = useQuery({
    queryKey: [pipelinesApi.path, businessLineId ?? 'default'],
    queryFn: () => pipelinesApi.get(businessLineId),
  });
  const [rows, setRows] = useState<StageRow[]>([]);
  const inherited = businessLineId !== null && pipeline.data?.own === false;

  const reset = () => pipeline.data && setRows(rowsOf(pipeline.data, !(businessLineId !== null && !pipeline.data.own)));
  useEffect(reset, [pipeline.data, businessLineId]);

  const update = (key: string, patch: Partial<StageRow>) =>
    setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  const issues = problems(t, rows);
  const dirty = pipeline.data
    ? JSON.stringify(rows.map(({ key: _k, ...r }) => r)) !==
        JSON.stringify(rowsOf(pipeline.data, !inherited).map(({ key: _k, ...r }) => r)) || inherited
    : false;

  const { save, saving } = useSettingsSave(
    () =>
      pipelinesApi.save({
        businessLineId,
        stages: rows.map((r) => ({
          ...(r.id ? { id: r.id } : {}),
          nameZh: r.nameZh.trim(),
          nameEn: r.nameEn.trim(),
          kind: r.kind,
          probability: r.probability ?? 0,
          requiredFields: r.requiredFields,
        })),
      }),
    [pipelinesApi.path],
    'pipeline.saved',
  );

  const addStage = () => {
    const firstClosing = rows.findIndex((r) => r.kind !== 'open');
    const at = firstClosing < 0 ? rows.length : firstClosing;
    const row: StageRow = { key: newKey(), nameZh: '', nameEn: '', kind: 'open', probability: 50, requiredFields: [] };
    setRows((rs) => [...rs.slice(0, at), row, ...rs.slice(at)]);
  };

  return (
    <Flex vertical gap={12}>
      <Flex gap={12} align="center" wrap>
        <Typography.Text>{t('pipeline.lineLabel')}</Typography.Text>
        <Select
          style={{ width: 220 }}
          value={line}
          loading={lines.isPending}
          onChange={(value) =>
            setSearch(
              (s) => {
                const n = new URLSearchParams(s);
                n.set('line', value);
                return n;
              },
              { replace: true },
            )
          }
          options={[{ value: DEFAULT, label: t('pipeline.default') }, ...lines.options]}
          data-testid="pipeline-line"
        />
        {businessLineId && pipeline.data && (
          <Tag color={pipeline.data.own ? 'blue' : 'default'}>
            {t(pipeline.data.own ? 'pipeline.own' : 'pipeline.usesDefault')}
          </Tag>
        )}
      </Flex>
      <Typography.Text type="secondary">{t('pipeline.hint')}</Typography.Text>
      {inherited && <Alert type="info" showIcon title={t('pipeline.inheritedAlert')} />}
      {failedWithoutData(pipeline) ? (
        <LoadError query={pipeline} />
      ) : pipeline.isPending ? (
        <Skeleton active />
      ) : (
        <DataTable<StageRow>
          cards={false}
          rowKey="key"
          size="small"
          pagination={false}
          dataSource={rows}
          data-testid="stages-table"
          columns={[
            {
              key: 'order',
              title: t('pipeline.order'),
              width: 70,
              render: (_, _r, i) => (
                <OrderButtons index={i} count={rows.length} onMove={(by) => setRows((rs) => moveRow(rs, i, by))} />
              ),
            },
            requiredTextColumn<StageRow>({
              key: 'nameZh',
              title: t('pipeline.nameZh'),
              value: (r) => r.nameZh,
              onChange: (r, nameZh) => update(r.key, { nameZh }),
              maxLength: 50,
              width: 140,
              testId: 'stage-name-zh',
            }),
            requiredTextColumn<StageRow>({
              key: 'nameEn',
              title: t('pipeline.nameEn'),
              value: (r) => r.nameEn,
              onChange: (r, nameEn) => update(r.key, { nameEn }),
              maxLength: 50,
              width: 150,
              testId: 'stage-name-en',
            }),
            {
              key: 'kind',
              title: t('pipeline.kind'),
              render: (_, r) => (
                <Select<Kind>
                  value={r.kind}
                  style={{ width: 100 }}
                  options={STAGE_KINDS.map((k) => ({ value: k, label: t(`pipeline.kindName.${k}`) }))}
                  onChange={(kind) =>
                    update(r.key, {
                      kind,
                      ...(kind === 'won' ? { probability: 100 } : kind === 'lost' ? { probability: 0 } : {}),
                    })
                  }
                />
              ),
            },
            {
              key: 'probability',
              title: t('pipeline.probability'),
              render: (_, r) => (
                <InputNumber
                  min={0}
                  max={100}
                  precision={0}
                  suffix="%"
                  value={r.probability}
                  onChange={(v) => update(r.key, { probability: v })}
                  style={{ width: 90 }}
                  data-testid="stage-probability"
                />
              ),
            },
            {
              key: 'required',
              title: t('pipeline.required'),
              render: (_, r) => (
                <Select<StageRequirement[]>
                  mode="multiple"
                  allowClear
                  value={r.requiredFields}
                  style={{ width: 300 }}
                  placeholder={t('pipeline.requiredNone')}
                  options={STAGE_REQUIREMENTS.map((k) => ({ value: k, label: requirementLabel(t, k) }))}
                  onChange={(requiredFields) => update(r.key, { requiredFields })}
                />
              ),
            },
            {
              key: 'actions',
              title: t('common.actions'),
              fixed: 'right',
              render: (_, r) => (
                <Popconfirm
                  title={t('pipeline.removeConfirm', { name: r.nameZh || r.nameEn || '—' })}
                  description={r.id ? t('pipeline.removeHint') : undefined}
                  okButtonProps={{ danger: true }}
                  onConfirm={() => setRows((rs) => rs.filter((x) => x.key !== r.key))}
                >
                  <Button
                    type="text"
                    size="small"
                    icon={<DeleteOutlined />}
                    aria-label={t('common.delete')}
                    data-testid="stage-remove"
                  />
                </Popconfirm>
              ),
            },
          ]}
        />
      )}
      {issues.length > 0 && rows.length > 0 && (
        <Alert type="warning" showIcon title={issues.join(' ')} data-testid="pipeline-problems" />
      )}
      <Flex justify="space-between" wrap gap={8}>
        <Button
          icon={<PlusOutlined />}
          type="dashed"
          onClick={addStage}
          disabled={rows.length >= 20}
          data-testid="stage-add"
        >
          {t('pipeline.addStage')}
        </Button>
        <Flex gap={8}>
          <Button icon={<UndoOutlined />} onClick={reset} disabled={!dirty || saving}>
            {t('pipeline.discard')}
          </Button>
          <Button
            type="primary"
            onClick={save}
            loading={saving}
            disabled={issues.length > 0 || !dirty}
            data-testid="pipeline-save"
          >
            {t('common.save')}
          </Button>
        </Flex>
      </Flex>
    </Flex>
  );
}

// ---------- acceptance checklists ----------

/** Whether the edited rows still equal the saved ones in the given fields (order included). */
function unchangedRows<R, S>(rows: R[], saved: S[], fields: string[]): boolean {
  const pick = (r: unknown) => fields.map((f) => (r as Record<string, unknown>)[f] ?? null);
  return JSON.stringify(rows.map(pick)) === JSON.stringify(saved.map(pick));
}

type ItemRow = { rowKey: string; key: string; labelZh: string; labelEn: string };
const KEY = /^[a-z0-9-]{1,40}$/;

function AcceptancePanel() {
  const t = useT();
  const lines = useLineOptions();
  const [search, setSearch] = useSearchParams();
  const line = search.get('line') && search.get('line') !== DEFAULT ? search.get('line')! : lines.options[0]?.value;
  const checklist = useQuery({
    queryKey: [acceptanceChecklistsApi.path, line],
    queryFn: async () => {
      try {
        return await acceptanceChecklistsApi.get(line!);
      } catch (error) {
        if (isApiError(error) && error.status === 404) return { businessLineId: line!, items: [] };
        throw error;
      }
    },
    enabled: Boolean(line),
  });
  const [rows, setRows] = useState<ItemRow[]>([]);
  const reset = () => checklist.data && setRows(checklist.data.items.map((i) => ({ rowKey: newKey(), ...i })));
  useEffect(reset, [checklist.data]);
  const update = (rowKey: string, patch: Partial<ItemRow>) =>
    setRows((rs) => rs.map((r) => (r.rowKey === rowKey ? { ...r, ...patch } : r)));
  const keys = rows.map((r) => r.key);
  const bad =
    rows.some((r) => !KEY.test(r.key) || !r.labelZh.trim() || !r.labelEn.trim()) || new Set(keys).size !== keys.length;
  const dirty = !unchangedRows(rows, checklist.data?.items ?? [], ['key', 'labelZh', 'labelEn']);

  const { save, saving } = useSettingsSave(
    () =>
      line
        ? acceptanceChecklistsApi.save(line, {
            items: rows.map((r) => ({ key: r.key, labelZh: r.labelZh.trim(), labelEn: r.labelEn.trim() })),
          })
        : Promise.resolve(),
    [acceptanceChecklistsApi.path],
  );

  return (
    <Flex vertical gap={12}>
      <Flex gap={12} align="center" wrap>
        <Typography.Text>{t('pipeline.lineLabel')}</Typography.Text>
        <Select
          style={{ width: 220 }}
          value={line}
          loading={lines.isPending}
          options={lines.options}
          onChange={(value) =>
            setSearch(
              (s) => {
                const n = new URLSearchParams(s);
                n.set('line', value);
                return n;
              },
              { replace: true },
            )
          }
          data-testid="acceptance-line"
        />
      </Flex>
      <Typography.Text type="secondary">{t('acceptance.settingsHint')}</Typography.Text>
      {failedWithoutData(checklist) ? (
        <LoadError query={checklist} />
      ) : checklist.isPending && line ? (
        <Skeleton active />
      ) : (
        <DataTable<ItemRow>
          cards={false}
          rowKey="rowKey"
          size="small"
          pagination={false}
          dataSource={rows}
          data-testid="acceptance-items"
          locale={{ emptyText: t('acceptance.settingsEmpty') }}
          columns={[
            {
              key: 'order',
              title: t('pipeline.order'),
              width: 70,
              render: (_, _r, i) => (
                <OrderButtons index={i} count={rows.length} onMove={(by) => setRows((rs) => moveRow(rs, i, by))} />
              ),
            },
            {
              key: 'key',
              title: t('acceptance.key'),
              render: (_, r) => (
                <Input
                  value={r.key}
                  maxLength={40}
                  status={KEY.test(r.key) && keys.filter((k) => k === r.key).length === 1 ? undefined : 'error'}
                  onChange={(e) => update(r.rowKey, { key: e.target.value.toLowerCase() })}
                  style={{ width: 150 }}
                  title={t('acceptance.keyHint')}
                />
              ),
            },
            requiredTextColumn<ItemRow>({
              key: 'labelZh',
              title: t('acceptance.labelZh'),
              value: (r) => r.labelZh,
              onChange: (r, labelZh) => update(r.rowKey, { labelZh }),
              maxLength: 200,
              width: 320,
              testId: 'acceptance-label-zh',
            }),
            requiredTextColumn<ItemRow>({
              key: 'labelEn',
              title: t('acceptance.labelEn'),
              value: (r) => r.labelEn,
              onChange: (r, labelEn) => update(r.rowKey, { labelEn }),
              maxLength: 200,
              width: 440,
            }),
            {
              key: 'actions',
              title: t('common.actions'),
              fixed: 'right',
              render: (_, r) => (
                <Popconfirm
                  title={t('acceptance.removeConfirm')}
                  okButtonProps={{ danger: true }}
                  onConfirm={() => setRows((rs) => rs.filter((x) => x.rowKey !== r.rowKey))}
                >
                  <Button type="text" size="small" icon={<DeleteOutlined />} aria-label={t('common.delete')} />
                </Popconfirm>
              ),
            },
          ]}
        />
      )}
      {bad && <Alert type="warning" showIcon title={t('acceptance.rowsRule')} />}
      <Flex justify="space-between" wrap gap={8}>
        <Button
          icon={<PlusOutlined />}
          type="dashed"
          disabled={!line || rows.length >= 50}
          onClick={() =>
            setRows((rs) => [...rs, { rowKey: newKey(), key: `item-${rs.length + 1}`, labelZh: '', labelEn: '' }])
          }
          data-testid="acceptance-add"
        >
          {t('acceptance.addItem')}
        </Button>
        <Flex gap={8}>
          <Button icon={<UndoOutlined />} onClick={reset} disabled={!dirty || saving}>
            {t('pipeline.discard')}
          </Button>
          <Button
            type="primary"
            onClick={save}
            loading={saving}
            disabled={!line || bad || !dirty}
            data-testid="acceptance-settings-save"
          >
            {t('common.save')}
          </Button>
        </Flex>
      </Flex>
    </Flex>
  );
}

// ---------- conflicting business lines ----------

type PairRow = { rowKey: string; lineA?: string; lineB?: string };

function ConflictsPanel() {
  const t = useT();
  const lines = useLineOptions();
  const pairs = useQuery({ queryKey: [conflictPairsApi.path], queryFn: conflictPairsApi.list });
  const [rows, setRows] = useState<PairRow[]>([]);
  const reset = () =>
    pairs.data && setRows(pairs.data.map((p) => ({ rowKey: newKey(), lineA: p.lineA, lineB: p.lineB })));
  useEffect(reset, [pairs.data]);
  const update = (rowKey: string, patch: Partial<PairRow>) =>
    setRows((rs) => rs.map((r) => (r.rowKey === rowKey ? { ...r, ...patch } : r)));
  const bad = rows.some((r) => !r.lineA || !r.lineB || r.lineA === r.lineB);
  const dirty = !unchangedRows(rows, pairs.data ?? [], ['lineA', 'lineB']);

  const { save, saving } = useSettingsSave(
    () => conflictPairsApi.save({ pairs: rows.map((r) => ({ lineA: r.lineA!, lineB: r.lineB! })) }),
    [conflictPairsApi.path],
  );

  return (
    <Flex vertical gap={12}>
      <Typography.Text type="secondary">{t('conflicts.hint')}</Typography.Text>
      {failedWithoutData(pairs) ? (
        <LoadError query={pairs} />
      ) : pairs.isPending ? (
        <Skeleton active />
      ) : (
        <DataTable<PairRow>
          cards={false}
          rowKey="rowKey"
          size="small"
          pagination={false}
          dataSource={rows}
          data-testid="conflict-pairs"
          locale={{ emptyText: t('conflicts.empty') }}
          columns={[
            {
              key: 'a',
              title: t('conflicts.lineA'),
              render: (_, r) => (
                <Select
                  value={r.lineA}
                  options={lines.options}
                  style={{ width: 200 }}
                  status={r.lineA ? undefined : 'error'}
                  onChange={(lineA) => update(r.rowKey, { lineA })}
                  placeholder={t('conflicts.pick')}
                  data-testid="conflict-a"
                />
              ),
            },
            { key: 'vs', title: '', width: 60, render: () => <Typography.Text type="secondary">⇄</Typography.Text> },
            {
              key: 'b',
              title: t('conflicts.lineB'),
              render: (_, r) => (
                <Select
                  value={r.lineB}
                  options={lines.options.filter((o) => o.value !== r.lineA)}
                  style={{ width: 200 }}
                  status={r.lineB && r.lineB !== r.lineA ? undefined : 'error'}
                  onChange={(lineB) => update(r.rowKey, { lineB })}
                  placeholder={t('conflicts.pick')}
                  data-testid="conflict-b"
                />
              ),
            },
            {
              key: 'actions',
              title: t('common.actions'),
              fixed: 'right',
              render: (_, r) => (
                <Popconfirm
                  title={t('conflicts.removeConfirm')}
                  okButtonProps={{ danger: true }}
                  onConfirm={() => setRows((rs) => rs.filter((x) => x.rowKey !== r.rowKey))}
                >
                  <Button type="text" size="small" icon={<DeleteOutlined />} aria-label={t('common.delete')} />
                </Popconfirm>
              ),
            },
          ]}
        />
      )}
      <Flex justify="space-between" wrap gap={8}>
        <Button
          icon={<PlusOutlined />}
          type="dashed"
          onClick={() => setRows((rs) => [...rs, { rowKey: newKey() }])}
          disabled={rows.length >= 100}
          data-testid="conflict-add"
        >
          {t('conflicts.add')}
        </Button>
        <Flex gap={8}>
          <Button icon={<UndoOutlined />} onClick={reset} disabled={!dirty || saving}>
            {t('pipeline.discard')}
          </Button>
          <Button type="primary" onClick={save} loading={saving} disabled={bad || !dirty} data-testid="conflicts-save">
            {t('common.save')}
          </Button>
        </Flex>
      </Flex>
    </Flex>
  );
}

/** 销售流程设置: each business line's stages (or the default), its acceptance checklist, and which lines conflict. */
export function PipelineSettingsPage() {
  const t = useT();
  const [search, setSearch] = useSearchParams();
  const tab: Tab = (TABS as readonly string[]).includes(search.get('tab') ?? '')
    ? (search.get('tab') as Tab)
    : 'stages';
  return (
    <PageContainer title={t('pipeline.nav')} hint={t('pipeline.pageHint')}>
      <Card>
        <Tabs
          activeKey={tab}
          onChange={(key) =>
            setSearch(
              (s) => {
                const n = new URLSearchParams(s);
                n.set('tab', key);
                return n;
              },
              { replace: true },
            )
          }
          items={[
            { key: 'stages', label: t('pipeline.tabStages'), children: <StagesPanel /> },
            { key: 'acceptance', label: t('pipeline.tabAcceptance'), children: <AcceptancePanel /> },
            { key: 'conflicts', label: t('pipeline.tabConflicts'), children: <ConflictsPanel /> },
            { key: 'targets', label: t('pipeline.tabTargets'), children: <SalesCycleTargetsPanel /> },
          ]}
        />
      </Card>
    </PageContainer>
  );
}
