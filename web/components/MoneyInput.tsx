import { InputNumber } from 'antd';
import type { CSSProperties } from 'react';

const group = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** "1234567.5" shown as "1,234,567.5" while typing. */
function formatter(value: string | number | undefined): string {
  if (value === undefined || value === null || value === '') return '';
  const [whole, decimals] = String(value).split('.');
  return decimals === undefined ? group(whole) : `${group(whole)}.${decimals}`;
}

type Props = {
  /** Set by Form.Item, so that clicking the label focuses the input. */
  id?: string;
  value?: string | null;
  onChange?: (value: string | null) => void;
  placeholder?: string;
  style?: CSSProperties;
  /** Commits on blur / Enter instead of each keystroke. */
  onBlur?: () => void;
  onPressEnter?: () => void;
  'data-testid'?: string;
  'aria-label'?: string;
  allowNegative?: boolean;
};

/**
 * A CNY amount typed as an exact decimal string with two places (antd's stringMode: the
 * value never passes through a float). Thousands separators while typing; "" is null.
 */
export function MoneyInput({
  id,
  value,
  onChange,
  placeholder,
  style,
  onBlur,
  onPressEnter,
  allowNegative = false,
  ...rest
}: Props) {
  return (
    <InputNumber<string>
      id={id}
      stringMode
      min={allowNegative ? undefined : '0'}
      max="999999999999.99"
      precision={2}
      prefix="¥"
      value={value ?? null}
      onChange={(v) => onChange?.(v === null || v === '' ? null : String(v))}
      formatter={formatter}
      parser={(v) => (v ?? '').replace(/[,¥\s]/g, '')}
      placeholder={placeholder}
      style={{ width: '100%', ...style }}
      onBlur={onBlur}
      onPressEnter={onPressEnter}
      data-testid={rest['data-testid']}
      aria-label={rest['aria-label']}
    />
  );
}
