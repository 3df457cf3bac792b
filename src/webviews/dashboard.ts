// Training dashboard page: run facts, advice, and loss, accuracy and learning-rate charts for one run or
// several overlaid runs. All text comes from the extension in the `init` message.

import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-divider/index.js';
import type {
  AdviceView,
  DashboardRun,
  DashboardState,
  DashboardStrings,
  DashboardToExtension,
  ExtensionToDashboard,
} from '../shared/protocol/webview';
import { LineChart, runColor, type ChartSpec } from './lib/charts';
import { chartSpecs } from './lib/chartSpecs';
import { append, button, element, percent } from './lib/dom';
import { connectPanel } from './lib/vscodeApi';

let strings: DashboardStrings | undefined;
let latest: { runs: DashboardRun[]; advice: AdviceView[] } = { runs: [], advice: [] };
const charts = new Map<string, LineChart>();
const app = document.getElementById('app') as HTMLElement;

const api = connectPanel<DashboardToExtension, ExtensionToDashboard, DashboardState>({ type: 'ready' }, (message) => {
  switch (message.type) {
    case 'init':
      strings = message.strings;
      document.title = strings.title;
      latest = { runs: message.runs, advice: message.advice };
      renderPage();
      break;
    case 'update':
      latest = { runs: message.runs, advice: message.advice };
      renderPage();
      break;
  }
  api.setState({ runDirs: latest.runs.map((run) => run.runDir) });
});

// VS Code swaps the body's theme class; chart colours are read at creation, so rebuild them.
new MutationObserver(() => renderCharts(true)).observe(document.body, { attributes: true, attributeFilter: ['class'] });

function post(message: DashboardToExtension): void {
  api.postMessage(message);
}

function renderPage(): void {
  if (!strings) return;
  const primary = latest.runs[0];
  if (!primary) return;

  let header = document.getElementById('header');
  if (!header) {
    header = element('header', { attributes: { id: 'header' } });
    const advice = element('section', { attributes: { id: 'advice', 'aria-labelledby': 'advice-title' } });
    const runs = element('section', { attributes: { id: 'runs' } });
    const chartGrid = element('section', { className: 'chart-grid', attributes: { id: 'charts' } });
    append(app, header, advice, runs, chartGrid);
  }
  header.replaceChildren(...renderHeader(primary, strings));
  document.getElementById('advice')?.replaceChildren(...renderAdvice(latest.advice, strings));
  document.getElementById('runs')?.replaceChildren(...renderRunList(latest.runs, strings));
  renderCharts(false);
}

function renderHeader(run: DashboardRun, text: DashboardStrings): Node[] {
  const title = element('h1', {}, run.name, ' ', element('vscode-badge', { attributes: { title: text.statusLabel } }, text.status[run.status]));
  const facts = element('dl', { className: 'facts' });
  const fact = (label: string, value: string | undefined) => {
    if (value === undefined) return;
    append(facts, element('div', {}, element('dt', {}, label), element('dd', {}, value)));
  };
  fact(text.backend, run.backend);
  fact(text.device, run.device);
  fact(text.step, run.totalSteps ? `${run.step} / ${run.totalSteps}` : String(run.step));
  fact(text.epoch, run.steps.length > 0 ? run.steps[run.steps.length - 1].epoch.toFixed(2) : undefined);
  fact(text.samplesPerSecond, run.samplesPerSecond?.toFixed(1));
  fact(text.timeLeft, run.secondsLeft !== undefined ? formatDuration(run.secondsLeft) : undefined);
  fact(text.learningRate, run.steps.length > 0 ? run.steps[run.steps.length - 1].learningRate.toExponential(2) : undefined);
  fact(text.testAccuracy, run.test ? percent(run.test.accuracy) : undefined);

  const toolbar = element('div', { className: 'toolbar' });
  if (run.status === 'running') append(toolbar, button(text.stop, () => post({ type: 'stopTraining' })));
  if (run.test) append(toolbar, button(text.openErrorAnalysis, () => post({ type: 'openErrorAnalysis', runDir: run.runDir }), { secondary: true }));
  append(toolbar, button(text.addRun, () => post({ type: 'addRun' }), { secondary: true }));

  const nodes: Node[] = [title, facts, toolbar];
  if (run.endMessage) nodes.push(element('p', { className: 'end-message' }, run.endMessage));
  if (run.steps.length === 0) nodes.push(element('p', { className: 'muted' }, text.noData));
  return nodes;
}

function renderAdvice(advice: AdviceView[], text: DashboardStrings): Node[] {
  const heading = element('h2', { attributes: { id: 'advice-title' } }, text.advice);
  if (advice.length === 0) return [heading, element('p', { className: 'muted' }, text.noAdvice)];
  const cards = advice.map((item) => {
    const buttons = element('div', { className: 'toolbar' });
    item.buttons.forEach((entry, index) =>
      append(buttons, button(entry.label, () => post({ type: 'adviceAction', action: entry.action }), { secondary: index > 0 })),
    );
    return element(
      'article',
      { className: `advice advice-${item.severity}`, attributes: { role: item.severity === 'error' ? 'alert' : 'status', 'data-advice': item.id } },
      element('h3', {}, item.title),
      element('p', {}, item.message),
      item.buttons.length > 0 ? buttons : undefined,
    );
  });
  return [heading, ...cards];
}

function renderRunList(runs: DashboardRun[], text: DashboardStrings): Node[] {
  if (runs.length < 2) return [];
  const list = element('ul', { className: 'run-list' });
  runs.forEach((run, index) => {
    const swatch = element('span', { className: 'swatch', attributes: { 'aria-hidden': 'true' } });
    swatch.style.backgroundColor = runColor(index);
    const remove = index > 0 ? button(text.removeRun, () => post({ type: 'removeRun', runDir: run.runDir }), { secondary: true }) : undefined;
    const test = run.test ? ` · ${text.testAccuracy} ${percent(run.test.accuracy)}` : '';
    append(list, element('li', {}, swatch, `${run.name} (${text.status[run.status]})${test} `, remove));
  });
  return [list];
}

function renderCharts(rebuild: boolean): void {
  if (!strings) return;
  const container = document.getElementById('charts');
  if (!container) return;
  for (const spec of chartSpecs(latest.runs, strings)) {
    let chart = charts.get(spec.id);
    if (!chart) {
      const body = element('div', { className: 'chart-body' });
      const figure = element('figure', { attributes: { id: `chart-${spec.id}` } }, element('figcaption', {}, spec.title), body);
      append(container, figure);
      chart = new LineChart(body);
      charts.set(spec.id, chart);
    }
    // Screen readers get the last values in words, since the canvas has none.
    document.getElementById(`chart-${spec.id}`)?.setAttribute('aria-label', describeChart(spec));
    chart.update(spec, rebuild);
  }
}

function describeChart(spec: ChartSpec): string {
  const parts = spec.series.map((series) => {
    const last = series.points[series.points.length - 1];
    return last ? `${series.label} ${spec.exponent ? last.y.toExponential(2) : last.y.toFixed(3)}` : series.label;
  });
  return `${spec.title}: ${parts.join(', ')}`;
}

function formatDuration(seconds: number): string {
  const total = Math.round(seconds);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = total % 60;
  const twoDigits = (value: number) => String(value).padStart(2, '0');
  return hours > 0 ? `${hours}:${twoDigits(minutes)}:${twoDigits(rest)}` : `${minutes}:${twoDigits(rest)}`;
}
