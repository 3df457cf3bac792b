// Line charts drawn with uPlot in the VS Code theme's colours. Colours are read from the theme's CSS
// variables when a chart is created, so charts are rebuilt when the theme changes.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  /** Index into the run palette, so one run keeps one colour across charts. */
  colorIndex: number;
  dashed?: boolean;
  points: { x: number; y: number }[];
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  /** Fixed y range, such as [0, 1] for accuracy. */
  yRange?: [number, number];
  /** Draws a point on every value, for sparse series such as one value per epoch. */
  showPoints?: boolean;
  /** Digits after the decimal point in the legend. */
  digits?: number;
  /** Uses exponent notation for tiny values such as learning rates. */
  exponent?: boolean;
  /** Puts x ticks on whole numbers only, for epochs. */
  integerX?: boolean;
}

const paletteVariables = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow'];
const paletteFallbacks = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700'];

const chartHeight = 220;

/** Reads a theme colour, falling back when the variable is not set (outside VS Code). */
export function themeColor(variable: string, fallback: string): string {
  const value = getComputedStyle(document.body).getPropertyValue(variable).trim();
  return value || fallback;
}

export function runColor(index: number): string {
  const slot = index % paletteVariables.length;
  return themeColor(paletteVariables[slot], paletteFallbacks[slot]);
}

/** One chart in a container; `update` redraws in place while the series stay the same. */
export class LineChart {
  private plot: uPlot | undefined;
  private signature = '';
  private readonly resizeObserver: ResizeObserver;

  constructor(private readonly container: HTMLElement) {
    this.resizeObserver = new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: chartHeight }));
    this.resizeObserver.observe(container);
  }

  update(spec: ChartSpec, rebuild = false): void {
    const data = alignSeries(spec.series);
    const signature = JSON.stringify([spec.series.map((series) => [series.label, series.colorIndex, series.dashed]), spec.yRange]);
    if (this.plot && !rebuild && signature === this.signature) {
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    this.signature = signature;
    this.plot = new uPlot(this.options(spec), data, this.container);
  }

  private options(spec: ChartSpec): uPlot.Options {
    const foreground = themeColor('--vscode-foreground', '#cccccc');
    const grid = themeColor('--vscode-editorWidget-border', themeColor('--vscode-panel-border', '#80808040'));
    const font = `12px ${themeColor('--vscode-font-family', 'sans-serif')}`;
    const formatValue = (value: number | null | undefined): string => {
      if (value === null || value === undefined || !Number.isFinite(value)) return '–';
      return spec.exponent ? value.toExponential(2) : value.toFixed(spec.digits ?? 3);
    };
    const axis = (label: string, isY: boolean): uPlot.Axis => ({
      label,
      stroke: foreground,
      font,
      labelFont: font,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
      size: isY ? 60 : 40,
      values: isY && spec.exponent ? (_plot, ticks) => ticks.map((tick) => tick.toExponential(1)) : undefined,
      incrs: !isY && spec.integerX ? [1, 2, 5, 10, 20, 50, 100] : undefined,
    });
    return {
      width: this.width(),
      height: chartHeight,
      scales: { x: { time: false }, y: spec.yRange ? { range: spec.yRange } : {} },
      axes: [axis(spec.xLabel, false), axis(spec.yLabel, true)],
      cursor: { drag: { x: false, y: false } },
      series: [
        { label: spec.xLabel, value: (_plot, value) => formatValue(value).replace(/\.0+$/, '') },
        ...spec.series.map((series) => ({
          label: series.label,
          stroke: runColor(series.colorIndex),
          width: 2,
          dash: series.dashed ? [6, 4] : undefined,
          spanGaps: true,
          points: { show: spec.showPoints ?? false, size: 6 },
          value: (_plot: uPlot, value: number | null) => formatValue(value),
        })),
      ],
    };
  }

  private width(): number {
    return Math.max(200, this.container.clientWidth);
  }

  destroy(): void {
    this.resizeObserver.disconnect();
    this.plot?.destroy();
  }
}

/** Joins series with different x values into uPlot's one shared x column, with gaps as null. */
export function alignSeries(series: ChartSeries[]): uPlot.AlignedData {
  if (series.length === 0) return [[]];
  const tables: uPlot.AlignedData[] = series.map((entry) => [entry.points.map((point) => point.x), entry.points.map((point) => point.y)]);
  return uPlot.join(tables);
}
