// Shapes evaluation.json for the error analysis panel and the inline prediction decorations. Pure: no
// vscode import, so unit tests run it.

import type { Evaluation, Misclassified } from '../../shared/run/types';
import type { ConfusionCellView, ErrorAnalysisReport, MisclassifiedView } from '../../shared/protocol/webview';
import { t } from '../../shared/l10n';

export interface ReportContext {
  runDir: string;
  runName: string;
  /** Label names of the project's label map, in class-id order. */
  labelChoices: string[];
  dataFileAvailable: boolean;
}

export function buildErrorAnalysisReport(evaluation: Evaluation, context: ReportContext): ErrorAnalysisReport {
  const labels = evaluation.confusionMatrix.labels;
  return {
    runDir: context.runDir,
    runName: context.runName,
    split: evaluation.split,
    examples: evaluation.examples,
    accuracy: evaluation.accuracy,
    macroF1: evaluation.macroF1,
    perClass: labels
      .filter((label) => evaluation.perClass[label] !== undefined)
      .map((label) => ({ label, ...evaluation.perClass[label] })),
    labels,
    confusion: shapeConfusion(labels, evaluation.confusionMatrix.matrix),
    misclassified: sortMisclassified(evaluation.misclassified),
    target: { value: evaluation.target.value, met: evaluation.target.met },
    majorityBaseline: evaluation.majorityBaseline,
    noBetterThanMajority: evaluation.noBetterThanMajority,
    labelChoices: context.labelChoices.length > 0 ? context.labelChoices : labels,
    dataFileAvailable: context.dataFileAvailable,
  };
}

/** Pairs every matrix count with its labels and its share of the true label's examples. */
export function shapeConfusion(labels: string[], matrix: number[][]): ConfusionCellView[][] {
  return labels.map((trueLabel, i) => {
    const row = matrix[i] ?? [];
    const rowTotal = row.reduce((sum, count) => sum + count, 0);
    return labels.map((predictedLabel, j) => {
      const count = row[j] ?? 0;
      return { trueLabel, predictedLabel, count, rowFraction: rowTotal > 0 ? count / rowTotal : 0 };
    });
  });
}

/** Adds each mistake's confidence and sorts the most confident mistakes first, then by row. */
export function sortMisclassified(misclassified: Misclassified[]): MisclassifiedView[] {
  return misclassified
    .map((item) => {
      const probabilities = Object.entries(item.probabilities)
        .map(([label, probability]) => ({ label, probability }))
        .sort((a, b) => b.probability - a.probability);
      return {
        row: item.row,
        text: item.text,
        label: item.label,
        predicted: item.predicted,
        confidence: item.probabilities[item.predicted] ?? 0,
        probabilities,
      };
    })
    .sort((a, b) => b.confidence - a.confidence || a.row - b.row);
}

/** Formats the decoration after a misclassified row, such as "Model predicts: 差评 (87%)". */
export function formatPredictionLabel(item: MisclassifiedView): string {
  return t('Model predicts: {0} ({1})', item.predicted, formatWholePercent(item.confidence));
}

/** Formats the hover of a misclassified row: its true label and every label's probability, in Markdown. */
export function formatPredictionHover(item: MisclassifiedView): string {
  const lines = [t('Labelled {0}, model predicts {1}', item.label, item.predicted), ''];
  for (const { label, probability } of item.probabilities) {
    lines.push(`- ${escapeMarkdown(label)}: ${formatWholePercent(probability)}`);
  }
  return lines.join('\n');
}

export function formatWholePercent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

/** Escapes Markdown syntax so a label name shows as typed. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (character) => `\\${character}`);
}
