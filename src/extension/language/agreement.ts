// Agreement between two annotators over the same rows: the share of rows they labelled alike, Cohen's
// kappa (agreement corrected for what two annotators would reach by chance with their own label
// frequencies) and the rows they disagree on. Pure: no VS Code API, so tests run without an editor.

import { confusionMatrix } from '../../shared/metrics/classification';
import { t } from '../../shared/l10n';

/** One row as both annotators labelled it; an empty label means the annotator skipped the row. */
export interface AnnotatedRow {
  /** 1-based line where the row starts in the first file. */
  row: number;
  text: string;
  first: string;
  second: string;
}

export interface Disagreement {
  row: number;
  text: string;
  first: string;
  second: string;
}

export interface AgreementReport {
  /** Rows both annotators labelled. */
  compared: number;
  /** Rows only one annotator (or neither) labelled; they are left out of every figure. */
  skipped: number;
  agreed: number;
  /** agreed / compared. */
  agreementRate: number;
  /** Agreement two annotators with these label frequencies would reach by chance. */
  chanceAgreement: number;
  /** Cohen's kappa; NaN when chance agreement is 1 (both used one and the same label throughout). */
  kappa: number;
  /** Every label either annotator used, in first-seen order. */
  labels: string[];
  disagreements: Disagreement[];
}

/** Compares the labels of two annotators. */
export function compareAnnotations(rows: readonly AnnotatedRow[]): AgreementReport {
  const labels: string[] = [];
  const idOf = (label: string) => {
    let id = labels.indexOf(label);
    if (id === -1) id = labels.push(label) - 1;
    return id;
  };

  const firstIds: number[] = [];
  const secondIds: number[] = [];
  const disagreements: Disagreement[] = [];
  let skipped = 0;
  for (const row of rows) {
    const first = row.first.trim();
    const second = row.second.trim();
    if (first === '' || second === '') {
      skipped++;
      continue;
    }
    firstIds.push(idOf(first));
    secondIds.push(idOf(second));
    if (first !== second) disagreements.push({ row: row.row, text: row.text, first, second });
  }

  const compared = firstIds.length;
  const matrix = confusionMatrix(firstIds, secondIds, labels.length);
  const agreed = matrix.reduce((total, line, id) => total + line[id], 0);
  const agreementRate = compared === 0 ? NaN : agreed / compared;
  let chanceAgreement = 0;
  for (let id = 0; id < labels.length; id++) {
    const firstCount = matrix[id].reduce((total, count) => total + count, 0);
    const secondCount = matrix.reduce((total, line) => total + line[id], 0);
    chanceAgreement += (firstCount / compared) * (secondCount / compared);
  }
  if (compared === 0) chanceAgreement = NaN;
  const kappa = chanceAgreement === 1 || compared === 0 ? NaN : (agreementRate - chanceAgreement) / (1 - chanceAgreement);
  return { compared, skipped, agreed, agreementRate, chanceAgreement, kappa, labels, disagreements };
}

/**
 * Explains a kappa in plain words, with the bands of Landis and Koch (1977, "The measurement of observer
 * agreement for categorical data", Biometrics 33:159-174), which are the ones most often quoted.
 */
export function explainKappa(report: AgreementReport): string {
  const { kappa } = report;
  if (report.compared === 0) return t('No row has a label from both annotators, so there is nothing to compare.');
  if (Number.isNaN(kappa)) {
    return t('Both annotators gave every row the same single label, so kappa cannot tell agreement from chance.');
  }
  const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
  const chance = t('Two annotators labelling at random with the same label frequencies would agree on {0} of the rows; kappa measures how far above that the real agreement ({1}) is, from 0 (no better than chance) to 1 (perfect).', percent(report.chanceAgreement), percent(report.agreementRate));
  let verdict: string;
  if (kappa < 0) verdict = t('Kappa {0} is below 0: the annotators agree less than chance would. They probably read the labels differently; compare a few disagreements together.', kappa.toFixed(2));
  else if (kappa <= 0.2) verdict = t('Kappa {0} is slight agreement. The label definitions need to be written down and agreed before labelling more.', kappa.toFixed(2));
  else if (kappa <= 0.4) verdict = t('Kappa {0} is fair agreement. Discuss the disagreements and sharpen the label definitions.', kappa.toFixed(2));
  else if (kappa <= 0.6) verdict = t('Kappa {0} is moderate agreement. The model will learn the labels, but the unclear cases will be noisy.', kappa.toFixed(2));
  else if (kappa <= 0.8) verdict = t('Kappa {0} is substantial agreement: good enough to train on. Review the disagreements to settle the borderline cases.', kappa.toFixed(2));
  else verdict = t('Kappa {0} is almost perfect agreement.', kappa.toFixed(2));
  return `${verdict} ${chance}`;
}
