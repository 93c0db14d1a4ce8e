import { Popover, Spin, type DatePicker as AntDatePicker } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { lazy, Suspense, useState, type ReactNode } from 'react';

// The date picker is loaded when a popover first opens: Today's cards do not wait for it.
// (lazy() loses the picker's generic value type: it is antd's DatePicker all the same.)
const DatePicker = lazy(() => import('antd/es/date-picker')) as unknown as typeof AntDatePicker;

/** A date picker in a popover, for "reschedule": picks a day (and time, for tasks) from today on. */
export function ReschedulePopover({
  title,
  withTime,
  onPick,
  children,
  testId,
}: {
  title: ReactNode;
  withTime: boolean;
  onPick: (value: Dayjs) => Promise<unknown>;
  children: ReactNode;
  testId: string;
}) {
  const [open, setOpen] = useState(false);
  return (
    <Popover
      open={open}
      onOpenChange={setOpen}
      trigger="click"
      title={title}
      content={
        <Suspense fallback={<Spin size="small" />}>
          <DatePicker
            open={open}
            showTime={withTime ? { format: 'HH:mm', minuteStep: 15 } : false}
            format={withTime ? 'YYYY-MM-DD HH:mm' : 'YYYY-MM-DD'}
            disabledDate={(d) => d.isBefore(dayjs().startOf('day'))}
            onChange={(value) => {
              if (!value) return;
              setOpen(false);
              void onPick(value);
            }}
            data-testid={`${testId}-picker`}
            getPopupContainer={(node) => node.parentElement ?? document.body}
          />
        </Suspense>
      }
    >
      <span data-testid={testId}>{children}</span>
    </Popover>
  );
}
