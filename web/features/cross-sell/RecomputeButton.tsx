import { ReloadOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Flex, Progress } from 'antd';
import { useEffect, useState } from 'react';
import type { CrossSellRun } from '../../../common/schemas/cross-sell';
import { crossSellApi } from '../../api/resources';
import { errorText, useErrorToast } from '../../components/errors';
import { useT } from '../../i18n';

/** pg-boss's ends of a job; anything else is still waiting or running. */
const ENDED = ['completed', 'failed', 'cancelled'];
const ended = (run: CrossSellRun | undefined) => Boolean(run && (ENDED.includes(run.state) || run.output));

/** 重新计算 (sales:configure): starts the whole firm's computation and follows its progress every 2 s until it ends. */
export function RecomputeButton() {
  const t = useT();
  const toast = useErrorToast();
  const queryClient = useQueryClient();
  const [runId, setRunId] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const run = useQuery({
    queryKey: [crossSellApi.path, 'run', runId],
    queryFn: () => crossSellApi.run(runId!),
    enabled: runId !== null,
    refetchInterval: (q) => (ended(q.state.data) || q.state.error ? false : 2000),
  });
  const done = ended(run.data);
  useEffect(() => {
    // The lists and the conversion change once the run has written its suggestions.
    if (done) void queryClient.invalidateQueries({ queryKey: [crossSellApi.path] });
  }, [done, queryClient]);
  const start = () => {
    setStarting(true);
    crossSellApi
      .startRun()
      .then((r) => setRunId(r.id), toast)
      .finally(() => setStarting(false));
  };
  const r = run.data;
  const running = runId !== null && !done && !run.error;
  const percent = r?.progress && r.progress.total > 0 ? Math.floor((r.progress.done * 100) / r.progress.total) : 0;
  return (
    <Flex vertical gap={8} style={{ minWidth: 0 }}>
      <Button
        icon={<ReloadOutlined />}
        onClick={start}
        loading={starting || running}
        data-testid="cross-sell-recompute"
      >
        {t('crossSell.recompute')}
      </Button>
      {running && (
        <div data-testid="cross-sell-run-progress" style={{ minWidth: 200 }}>
          <Progress percent={percent} size="small" status="active" />
          {t('crossSell.running', { done: r?.progress?.done ?? 0, total: r?.progress?.total ?? '—' })}
        </div>
      )}
      {run.error && <Alert type="error" showIcon title={errorText(t, run.error)} />}
      {done && r && (
        <Alert
          type={r.state === 'completed' || r.output ? 'success' : 'error'}
          showIcon
          closable
          onClose={() => setRunId(null)}
          data-testid="cross-sell-run-done"
          title={
            r.output
              ? t('crossSell.runDone', {
                  customers: r.output.customers,
                  open: r.output.open,
                  excluded: r.output.excluded,
                })
              : t('crossSell.runFailed', { state: r.state })
          }
        />
      )}
    </Flex>
  );
}
