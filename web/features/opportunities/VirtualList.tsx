import { useEffect, useRef, useState, type CSSProperties, type ReactNode } from 'react';

type Props<T> = {
  items: T[];
  /** Every row's height in pixels, its gap included. */
  rowHeight: number;
  itemKey: (item: T) => string;
  renderItem: (item: T, index: number) => ReactNode;
  /** Rows rendered above and below the visible ones. */
  overscan?: number;
  style?: CSSProperties;
  footer?: ReactNode;
  'data-testid'?: string;
};

/**
 * A scrolling list that renders only the rows in view (fixed row height): a board column with
 * thousands of cards stays as light as one with ten.
 */
export function VirtualList<T>({
  items,
  rowHeight,
  itemKey,
  renderItem,
  overscan = 4,
  style,
  footer,
  ...rest
}: Props<T>) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);

  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    setHeight(element.clientHeight);
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  const visible = items.slice(first, last);

  return (
    <div
      ref={ref}
      style={{ overflowY: 'auto', position: 'relative', ...style }}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      data-testid={rest['data-testid']}
    >
      <div style={{ height: items.length * rowHeight, position: 'relative' }}>
        {visible.map((item, i) => (
          <div
            key={itemKey(item)}
            style={{ position: 'absolute', top: (first + i) * rowHeight, left: 0, right: 0, height: rowHeight }}
          >
            {renderItem(item, first + i)}
          </div>
        ))}
      </div>
      {footer}
    </div>
  );
}
