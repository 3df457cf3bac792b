// Error analysis page: scores, per-class table, confusion matrix and the misclassified reviews. Reviews
// are customers' text and are only ever inserted as text nodes.

import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import type {
  ErrorAnalysisReport,
  ErrorAnalysisState,
  ErrorAnalysisStrings,
  ErrorAnalysisToExtension,
  ExtensionToErrorAnalysis,
  MisclassifiedView,
} from '../shared/protocol/webview';
import { append, button, element, format, percent } from './lib/dom';
import { connectPanel } from './lib/vscodeApi';

let strings: ErrorAnalysisStrings | undefined;
let report: ErrorAnalysisReport | undefined;
/** The confusion cell whose reviews are listed; undefined lists every mistake. */
let filter: { trueLabel: string; predictedLabel: string } | undefined;
/** Rows relabelled from this page, with their new label. */
const relabelled = new Map<number, string>();
const app = document.getElementById('app') as HTMLElement;

const api = connectPanel<ErrorAnalysisToExtension, ExtensionToErrorAnalysis, ErrorAnalysisState>({ type: 'ready' }, (message) => {
  switch (message.type) {
    case 'init':
      strings = message.strings;
      report = message.report;
      document.title = `${strings.title}: ${report.runName}`;
      api.setState({ runDir: report.runDir });
      renderPage();
      break;
    case 'labelChanged':
      relabelled.set(message.row, message.label);
      renderMistakes();
      break;
  }
});

function post(message: ErrorAnalysisToExtension): void {
  api.postMessage(message);
}

function renderPage(): void {
  if (!strings || !report) return;
  const mistakes = element('section', { attributes: { id: 'mistakes', 'aria-labelledby': 'mistakes-title' } });
  app.replaceChildren(
    element('h1', {}, `${strings.title}: ${report.runName}`),
    renderSummary(report, strings),
    renderPerClass(report, strings),
    renderConfusion(report, strings),
    mistakes,
  );
  renderMistakes();
}

function renderSummary(data: ErrorAnalysisReport, text: ErrorAnalysisStrings): HTMLElement {
  const facts = element(
    'dl',
    { className: 'facts' },
    element('div', {}, element('dt', {}, text.accuracy), element('dd', {}, percent(data.accuracy))),
    element('div', {}, element('dt', {}, text.macroF1), element('dd', {}, data.macroF1.toFixed(3))),
    element('div', {}, element('dt', {}, text.examples), element('dd', {}, data.examples)),
  );
  const targetText = format(data.target.met ? text.targetMet : text.targetMissed, percent(data.accuracy), percent(data.target.value));
  const section = element(
    'section',
    { attributes: { 'aria-label': text.summary } },
    facts,
    element('p', { className: data.target.met ? 'advice advice-success' : 'advice advice-warning', attributes: { role: 'status' } }, targetText),
  );
  if (data.noBetterThanMajority) {
    const note = format(text.majorityNote, percent(data.accuracy), data.majorityBaseline.label, percent(data.majorityBaseline.accuracy));
    append(section, element('p', { className: 'advice advice-error', attributes: { role: 'alert' } }, note));
  }
  if (!data.dataFileAvailable) append(section, element('p', { className: 'muted' }, text.dataFileMissing));
  return section;
}

function renderPerClass(data: ErrorAnalysisReport, text: ErrorAnalysisStrings): HTMLElement {
  const head = element('tr', {}, ...[text.label, text.precision, text.recall, text.f1, text.support].map((name) => element('th', { attributes: { scope: 'col' } }, name)));
  const rows = data.perClass.map((entry) =>
    element(
      'tr',
      {},
      element('th', { attributes: { scope: 'row' } }, entry.label),
      element('td', { className: 'number' }, entry.precision.toFixed(3)),
      element('td', { className: 'number' }, entry.recall.toFixed(3)),
      element('td', { className: 'number' }, entry.f1.toFixed(3)),
      element('td', { className: 'number' }, entry.support),
    ),
  );
  return element('section', {}, element('h2', {}, text.perClass), element('table', { className: 'data-table' }, element('thead', {}, head), element('tbody', {}, ...rows)));
}

function renderConfusion(data: ErrorAnalysisReport, text: ErrorAnalysisStrings): HTMLElement {
  const head = element(
    'tr',
    {},
    element('th', { className: 'corner' }, `${text.trueLabel} \\ ${text.predictedLabel}`),
    ...data.labels.map((label) => element('th', { attributes: { scope: 'col' } }, label)),
  );
  const rows = data.confusion.map((cells, i) =>
    element(
      'tr',
      {},
      element('th', { attributes: { scope: 'row' } }, data.labels[i]),
      ...cells.map((cell) => {
        const correct = cell.trueLabel === cell.predictedLabel;
        const cellButton = element(
          'button',
          {
            className: correct ? 'cell correct' : 'cell',
            attributes: {
              type: 'button',
              'aria-label': `${text.trueLabel} ${cell.trueLabel}, ${text.predictedLabel} ${cell.predictedLabel}: ${cell.count}`,
              'aria-pressed': String(filter?.trueLabel === cell.trueLabel && filter.predictedLabel === cell.predictedLabel),
            },
          },
          String(cell.count),
          element('span', { className: 'fraction' }, percent(cell.rowFraction, 0)),
        );
        // The shade grows with the share of the true label's reviews that landed in this cell.
        cellButton.style.setProperty('--share', String(cell.rowFraction));
        cellButton.addEventListener('click', () => {
          filter = correct ? undefined : { trueLabel: cell.trueLabel, predictedLabel: cell.predictedLabel };
          renderPage();
          document.getElementById('mistakes-title')?.focus();
        });
        return element('td', {}, cellButton);
      }),
    ),
  );
  return element(
    'section',
    {},
    element('h2', {}, text.confusionMatrix),
    element('p', { className: 'muted' }, text.confusionHint),
    element('table', { className: 'confusion' }, element('thead', {}, head), element('tbody', {}, ...rows)),
  );
}

function renderMistakes(): void {
  const section = document.getElementById('mistakes');
  if (!section || !strings || !report) return;
  const text = strings;
  const data = report;
  const shown = data.misclassified.filter((item) => !filter || (item.label === filter.trueLabel && item.predicted === filter.predictedLabel));

  const nodes: Node[] = [element('h2', { attributes: { id: 'mistakes-title', tabindex: '-1' } }, `${text.misclassified} (${shown.length})`)];
  if (filter) {
    nodes.push(
      element(
        'p',
        { className: 'toolbar' },
        format(text.filteredBy, filter.trueLabel, filter.predictedLabel),
        ' ',
        button(text.showAll, () => {
          filter = undefined;
          renderPage();
        }, { secondary: true }),
      ),
    );
  }
  if (shown.length === 0) nodes.push(element('p', { className: 'muted' }, text.noMistakes));
  const list = element('ol', { className: 'mistakes' });
  for (const item of shown) append(list, renderMistake(item, data, text));
  nodes.push(list);
  section.replaceChildren(...nodes);
}

function renderMistake(item: MisclassifiedView, data: ErrorAnalysisReport, text: ErrorAnalysisStrings): HTMLElement {
  const currentLabel = relabelled.get(item.row) ?? item.label;
  const probabilities = element(
    'ul',
    { className: 'probabilities', attributes: { 'aria-label': text.probabilities } },
    ...item.probabilities.map(({ label, probability }) => {
      const bar = element('span', { className: 'bar', attributes: { 'aria-hidden': 'true' } });
      bar.style.setProperty('--share', String(probability));
      return element('li', {}, bar, `${label} ${percent(probability)}`);
    }),
  );

  const actions = element('div', { className: 'toolbar' });
  append(actions, button(text.goToRow, () => post({ type: 'goToRow', row: item.row }), { disabled: !data.dataFileAvailable }));
  for (const label of data.labelChoices) {
    if (label === currentLabel) continue;
    append(actions, button(format(text.setLabelTo, label), () => post({ type: 'setLabel', row: item.row, label }), { secondary: true, disabled: !data.dataFileAvailable }));
  }

  const relabel = relabelled.get(item.row);
  return element(
    'li',
    { className: 'mistake', attributes: { 'data-row': item.row } },
    element(
      'div',
      { className: 'mistake-head' },
      element('span', { className: 'row-number' }, `${text.row} ${item.row}`),
      element('span', {}, `${text.trueLabel}: `, element('strong', {}, item.label)),
      element('span', {}, `${text.predictedLabel}: `, element('strong', {}, item.predicted), ` (${percent(item.confidence)})`),
      relabel !== undefined ? element('vscode-badge', {}, format(text.labelSet, relabel)) : undefined,
    ),
    element('blockquote', { className: 'review', attributes: { 'aria-label': text.text } }, item.text),
    probabilities,
    actions,
  );
}
