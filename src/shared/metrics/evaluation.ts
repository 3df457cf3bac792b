// Building evaluation.json from a model's predictions on one split.
import type { ClassScores, Evaluation, Misclassified } from '../run/types';
import { accuracy, confusionMatrix, macroF1, majorityBaseline, perClassScores } from './classification';

export interface EvaluationInput {
  split: Evaluation['split'];
  /** Label names by class id. */
  labels: readonly string[];
  trueIds: readonly number[];
  predictedIds: readonly number[];
  /** Per example, the probability of each class id. */
  probabilities: readonly (readonly number[])[];
  /** Per example, the 1-based row in the data file. */
  rows: readonly number[];
  /** Per example, the text shown in the error analysis. */
  texts: readonly string[];
  /** Target test accuracy from finetune.json, between 0 and 1. */
  targetAccuracy: number;
}

/** Computes every field of Evaluation. Misclassified examples are listed in input order. */
export function buildEvaluation(input: EvaluationInput): Evaluation {
  const { labels, trueIds, predictedIds } = input;
  const count = trueIds.length;
  for (const [name, values] of [['probabilities', input.probabilities], ['rows', input.rows], ['texts', input.texts]] as const) {
    if (values.length !== count) throw new RangeError(`${count} true labels but ${values.length} ${name}`);
  }

  const matrix = confusionMatrix(trueIds, predictedIds, labels.length);
  const scores = perClassScores(matrix);
  const perClass: Record<string, ClassScores> = {};
  for (const [id, name] of labels.entries()) perClass[name] = scores[id];

  const misclassified: Misclassified[] = [];
  for (let i = 0; i < count; i++) {
    if (trueIds[i] === predictedIds[i]) continue;
    const probabilities: Record<string, number> = {};
    for (const [id, name] of labels.entries()) probabilities[name] = input.probabilities[i][id];
    misclassified.push({ row: input.rows[i], text: input.texts[i], label: labels[trueIds[i]], predicted: labels[predictedIds[i]], probabilities });
  }

  const testAccuracy = accuracy(trueIds, predictedIds);
  const baseline = majorityBaseline(trueIds, labels.length);
  return {
    split: input.split,
    examples: count,
    accuracy: testAccuracy,
    macroF1: macroF1(matrix),
    perClass,
    confusionMatrix: { labels: [...labels], matrix },
    misclassified,
    majorityBaseline: { label: labels[baseline.id], accuracy: baseline.accuracy },
    noBetterThanMajority: testAccuracy <= baseline.accuracy,
    target: { metric: 'accuracy', value: input.targetAccuracy, met: testAccuracy >= input.targetAccuracy },
  };
}
