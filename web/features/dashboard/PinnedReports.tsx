import { PushpinOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Col, Row, Typography } from 'antd';
import { Link } from 'react-router';
import type { ReportPin } from '../../../common/schemas/dashboard';
import { toQueryString } from '../../api/client';
import { dashboardApi, reportPinsApi, reportsApi } from '../../api/resources';
import { useErrorToast } from '../../components/errors';
import { Loaded } from '../../components/QueryState';
import { useLocale, useT, type WebMessageKey } from '../../i18n';
import { ReportView } from '../reports/ReportView';

/** A report shown on the start page without being pinned (the partner's funnel loss): no unpin. */
export type SuggestedReport = Pick<ReportPin, 'kind' | 'query'> & { id?: undefined; title?: undefined };

/** A pinned report as a compact card: its headline and chart, a link to the whole report, and unpin. */
function PinCard({ pin }: { pin: ReportPin | SuggestedReport }) {
  const t = useT();
  const { locale } = useLocale();
  const { message } = App.useApp();
  const client = useQueryClient();
  const failed = useErrorToast();
  const report = useQuery({
    queryKey: [reportsApi.path, pin.kind, pin.query, locale],
    queryFn: () => reportsApi.get(pin.kind, pin.query),
  });
  const unpin = useMutation({
    mutationFn: () => reportPinsApi.remove(pin.id!),
    onSuccess: () => {
      void message.success(t('dash.unpinned'));
      void client.invalidateQueries({ queryKey: [dashboardApi.path] });
    },
    onError: failed,
  });
  const href = `/reports/${pin.kind}${toQueryString(pin.query)}`;
  return (
    <Card
      size="small"
      title={pin.title ?? report.data?.title ?? t(`report.nav.${pin.kind}` as WebMessageKey)}
      extra={
        pin.id && (
          <Button
            size="small"
            type="text"
            icon={<PushpinOutlined />}
            loading={unpin.isPending}
            onClick={() => unpin.mutate()}
          >
            {t('dash.unpin')}
          </Button>
        )
      }
      data-testid={pin.id ? 'dash-pin' : `dash-suggested-${pin.kind}`}
    >
      <Loaded query={report}>
        {() => (
          <>
            <Typography.Text type="secondary" style={{ display: 'block', marginBottom: 8, fontSize: 12 }}>
              {report.data!.filtersText}
            </Typography.Text>
            <ReportView answer={report.data!} compact />
          </>
        )}
      </Loaded>
      <Link to={href} data-testid="dash-open-report">
        {t('dash.openReport')}
      </Link>
    </Card>
  );
}

/** The reports pinned to the start page (and those it suggests), two across on a wide screen. */
export function PinnedReports({ pins }: { pins: (ReportPin | SuggestedReport)[] }) {
  return (
    <Row gutter={[16, 16]}>
      {pins.map((pin) => (
        <Col key={pin.id ?? pin.kind} xs={24} lg={12}>
          <PinCard pin={pin} />
        </Col>
      ))}
    </Row>
  );
}
