import { DownloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, DatePicker, Flex, Segmented, Select, Typography } from 'antd';
import dayjs from 'dayjs';
import { useCallback, useMemo, type ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { mayUseDirectory } from '../../../common/permissions';
import { PERIOD_PRESETS, type ReportKind } from '../../../common/reports';
import { useAllBranches, useAllBusinessLines, useAllRegions, useDirectory } from '../../api/queries';
import { reportsApi, type ReportParams } from '../../api/resources';
import { useMe } from '../../auth/session';
import { DepartmentTreeSelect } from '../../components/DepartmentTreeSelect';
import { personLabel } from '../../components/labels';
import { PageContainer } from '../../components/PageContainer';
import { useIsMobile } from '../../components/responsive';
import { Loaded } from '../../components/QueryState';
import { ReportActions } from '../dashboard/ReportActions';
import { useLocale, useT, type WebMessageKey } from '../../i18n';
import { DEFAULT_PERIOD, optionLabel, REPORT_OPTIONS } from './options';
import { ReportView } from './ReportView';

/** The filters every report takes, under the API's names; the report's own options are added per kind. */
const FILTER_KEYS = ['period', 'from', 'to', 'businessLineId', 'branchId', 'regionId', 'departmentId', 'ownerId'];
const CUSTOM = 'custom';

/** A report's query from the address: the known filters and the report's own options (unknown keys dropped). */
export function reportParamsOf(kind: ReportKind, search: URLSearchParams): ReportParams {
  const keys = [...FILTER_KEYS, ...(REPORT_OPTIONS[kind] ?? []).map((o) => o.key)];
  const params: ReportParams = {};
  for (const key of keys) {
    const value = search.get(key);
    if (value) params[key] = value;
  }
  if (!params.period && !params.from && !params.to) params.period = DEFAULT_PERIOD[kind] ?? 'this-year';
  return params;
}

/** The report page's state in the address (a link, a drill-back or a pin keeps the filters). */
function useReportUrl(kind: ReportKind) {
  const [search, setSearch] = useSearchParams();
  const params = useMemo(() => reportParamsOf(kind, search), [kind, search]);
  const write = useCallback(
    (patch: Record<string, string | undefined | null>) =>
      setSearch(
        (previous) => {
          const next = new URLSearchParams(previous);
          for (const [key, value] of Object.entries(patch)) {
            if (value === undefined || value === null || value === '') next.delete(key);
            else next.set(key, value);
          }
          return next;
        },
        { replace: true },
      ),
    [setSearch],
  );
  return { params, write };
}

/** /reports/<kind> — any report: its filters, headline, chart, tables and export. */
export function ReportPage({ kind }: { kind: ReportKind }) {
  const t = useT();
  const { locale } = useLocale();
  const me = useMe();
  const { params, write } = useReportUrl(kind);
  const report = useQuery({
    queryKey: [reportsApi.path, kind, params, locale],
    queryFn: () => reportsApi.get(kind, params),
  });
  const catalogue = useQuery({ queryKey: [reportsApi.path, 'catalogue', locale], queryFn: reportsApi.catalogue });
  const description = catalogue.data?.items.find((i) => i.kind === kind)?.description;

  return (
    <PageContainer
      title={t(`report.nav.${kind}` as WebMessageKey)}
      hint={description}
      extra={
        <Flex gap={8} wrap>
          <ReportActions kind={kind} params={params} />
          <Button
            icon={<DownloadOutlined />}
            href={reportsApi.exportUrl(kind, params)}
            disabled={!report.data}
            data-testid="report-export"
          >
            {t('report.export')}
          </Button>
        </Flex>
      }
    >
      <Card>
        <ReportFilterBar kind={kind} params={params} write={write} ownerFilter={mayUseDirectory(me.grants)} />
        {report.data && (
          <Typography.Text type="secondary" style={{ display: 'block', margin: '12px 0' }} data-testid="report-filters">
            {report.data.filtersText}
          </Typography.Text>
        )}
        <Loaded query={report}>{() => <ReportView answer={report.data!} />}</Loaded>
      </Card>
    </PageContainer>
  );
}

type BarProps = {
  kind: ReportKind;
  params: ReportParams;
  write: (patch: Record<string, string | undefined | null>) => void;
  ownerFilter: boolean;
};

/** Period (presets or a range), the dimensions, the report's options; each change goes to the address. */
function ReportFilterBar({ kind, params, write, ownerFilter }: BarProps) {
  const t = useT();
  const { locale } = useLocale();
  const lines = useAllBusinessLines();
  const branches = useAllBranches();
  const regions = useAllRegions();
  const directory = useDirectory(ownerFilter);
  const mobile = useIsMobile();
  const period = params.period ?? CUSTOM;
  const choose = (options: { id: string; name: string; active: boolean }[] | undefined) =>
    (options ?? []).filter((o) => o.active).map((o) => ({ value: o.id, label: o.name }));
  const filtered = ['businessLineId', 'branchId', 'regionId', 'departmentId', 'ownerId'].some((k) => params[k]);
  const field = (label: string, node: ReactNode, key?: string) => (
    <Flex key={key} vertical gap={4} style={{ minWidth: 0 }}>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {label}
      </Typography.Text>
      {node}
    </Flex>
  );
  return (
    <Flex gap={12} wrap align="flex-end" data-testid="report-filter-bar">
      {field(
        t('report.period'),
        <Flex gap={8} wrap>
          <Select
            value={period}
            style={{ width: 120 }}
            aria-label={t('report.period')}
            data-testid="report-period"
            options={[...PERIOD_PRESETS, CUSTOM].map((p) => ({
              value: p,
              label: t(`report.period.${p}` as WebMessageKey),
            }))}
            onChange={(value) =>
              value === CUSTOM
                ? write({ period: undefined, from: dayjs().startOf('year').format('YYYY-MM-DD'), to: undefined })
                : write({ period: value, from: undefined, to: undefined })
            }
          />
          {period === CUSTOM && (
            <DatePicker.RangePicker
              allowClear={false}
              style={{ width: 250 }}
              value={[params.from ? dayjs(params.from) : null, params.to ? dayjs(params.to) : null]}
              onChange={(range) =>
                range?.[0] &&
                range[1] &&
                write({ from: range[0].format('YYYY-MM-DD'), to: range[1].format('YYYY-MM-DD') })
              }
              data-testid="report-range"
            />
          )}
        </Flex>,
      )}
      {field(
        t('report.businessLine'),
        <Select
          allowClear
          style={{ width: 150 }}
          aria-label={t('report.businessLine')}
          options={choose(lines.data)}
          value={params.businessLineId}
          onChange={(businessLineId) => write({ businessLineId })}
          data-testid="report-line"
        />,
      )}
      {field(
        t('report.branch'),
        <Select
          allowClear
          style={{ width: 120 }}
          aria-label={t('report.branch')}
          options={choose(branches.data)}
          value={params.branchId}
          onChange={(branchId) => write({ branchId })}
          data-testid="report-branch"
        />,
      )}
      {field(
        t('report.region'),
        <Select
          allowClear
          style={{ width: 120 }}
          aria-label={t('report.region')}
          options={choose(regions.data)}
          value={params.regionId}
          onChange={(regionId) => write({ regionId })}
        />,
      )}
      {field(
        t('report.department'),
        <DepartmentTreeSelect
          allowInactive
          style={{ width: 170 }}
          aria-label={t('report.department')}
          value={params.departmentId}
          onChange={(departmentId) => write({ departmentId })}
        />,
      )}
      {ownerFilter &&
        field(
          t('report.owner'),
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            style={{ width: 150 }}
            aria-label={t('report.owner')}
            options={(directory.data ?? []).map((u) => ({ value: u.id, label: personLabel(locale, u) }))}
            value={params.ownerId}
            onChange={(ownerId) => write({ ownerId })}
          />,
        )}
      {(REPORT_OPTIONS[kind] ?? []).map((option) =>
        field(
          t(optionLabel(option.key)),
          // Three choices side by side; more (or any on a phone) in a drop-down, which never spills out of the card.
          option.values.length > 3 || mobile ? (
            <Select
              value={params[option.key] ?? option.values[0]}
              style={{ width: 150 }}
              aria-label={t(optionLabel(option.key))}
              options={option.values.map((value) => ({ value, label: t(optionLabel(option.key, value)) }))}
              onChange={(value: string) => write({ [option.key]: value === option.values[0] ? undefined : value })}
              data-testid={`report-option-${option.key}`}
            />
          ) : (
            <Segmented
              value={params[option.key] ?? option.values[0]}
              options={option.values.map((value) => ({ value, label: t(optionLabel(option.key, value)) }))}
              onChange={(value) => write({ [option.key]: value === option.values[0] ? undefined : String(value) })}
              data-testid={`report-option-${option.key}`}
            />
          ),
          option.key,
        ),
      )}
      {filtered && (
        <Button
          type="link"
          onClick={() =>
            write({
              businessLineId: undefined,
              branchId: undefined,
              regionId: undefined,
              departmentId: undefined,
              ownerId: undefined,
            })
          }
        >
          {t('report.clear')}
        </Button>
      )}
    </Flex>
  );
}
