import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export type ChartClick = { dataIndex: number; seriesIndex: number };

/**
 * An ECharts chart (only the bar and line charts and their components are bundled — echarts/core, tree-shaken) that
 * follows its container's width and reports a click on a bar or point. Drawn in SVG: a report's few dozen bars stay
 * sharp when zoomed or printed, and each bar is an element of the page (a browser test can find and click it).
 */
export function EChart({
  option,
  height,
  onClick,
  testId,
}: {
  option: echarts.EChartsCoreOption;
  height: number;
  onClick?: (click: ChartClick) => void;
  testId?: string;
}) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const clicked = useRef(onClick);
  clicked.current = onClick;

  useEffect(() => {
    const instance = echarts.init(element.current!, undefined, { renderer: 'svg' });
    chart.current = instance;
    instance.on('click', (params) => {
      const p = params as { dataIndex: number; seriesIndex?: number };
      clicked.current?.({ dataIndex: p.dataIndex, seriesIndex: p.seriesIndex ?? 0 });
    });
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element.current!);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={element} style={{ width: '100%', height }} data-testid={testId} />;
}
