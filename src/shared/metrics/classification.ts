// Classification metrics over class ids 0..numClasses-1.
//
// A ratio whose denominator is 0 (precision of a class never predicted, recall of a class absent from
// the true labels, F1 when precision and recall are both 0) is 0, as scikit-learn computes with
// zero_division=0.
import type { ClassScores } from '../run/types';

/** Counts of (true, predicted) pairs: rows are true labels, columns predicted labels. */
export function confusionMatrix(trueIds: readonly number[], predictedIds: readonly number[], numClasses: number): number[][] {
  checkIds(trueIds, predictedIds, numClasses);
  const matrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < trueIds.length; i++) matrix[trueIds[i]][predictedIds[i]]++;
  return matrix;
}

/** Fraction of predictions equal to the true label; 0 for no examples. */
export function accuracy(trueIds: readonly number[], predictedIds: readonly number[]): number {
  if (trueIds.length !== predictedIds.length) throw new RangeError(`${trueIds.length} true labels but ${predictedIds.length} predictions`);
  let correct = 0;
  for (let i = 0; i < trueIds.length; i++) if (trueIds[i] === predictedIds[i]) correct++;
  return divide(correct, trueIds.length);
}

/** Precision, recall, F1 and support of each class, by id, from a confusion matrix. */
export function perClassScores(matrix: readonly (readonly number[])[]): ClassScores[] {
  return matrix.map((row, id) => {
    const truePositives = row[id];
    const support = sum(row);
    const predicted = sum(matrix.map((other) => other[id]));
    const precision = divide(truePositives, predicted);
    const recall = divide(truePositives, support);
    const f1 = divide(2 * precision * recall, precision + recall);
    return { precision, recall, f1, support };
  });
}

/**
 * Unweighted mean of F1 over the classes that occur among the true labels or the predictions, as
 * scikit-learn's f1_score(average='macro') does when no label list is given. A class absent from both
 * has no F1 to average. Returns 0 when the matrix is empty.
 */
export function macroF1(matrix: readonly (readonly number[])[]): number {
  const scores = perClassScores(matrix);
  const present = scores.filter((score, id) => score.support > 0 || sum(matrix.map((row) => row[id])) > 0);
  return divide(sum(present.map((score) => score.f1)), present.length);
}

/** Finds the most frequent true label (the lowest id on a tie) and the accuracy of always predicting it. */
export function majorityBaseline(trueIds: readonly number[], numClasses: number): { id: number; accuracy: number } {
  const counts = new Array<number>(numClasses).fill(0);
  for (const id of trueIds) counts[id]++;
  let best = 0;
  for (let id = 1; id < numClasses; id++) if (counts[id] > counts[best]) best = id;
  return { id: best, accuracy: divide(counts[best] ?? 0, trueIds.length) };
}

function checkIds(trueIds: readonly number[], predictedIds: readonly number[], numClasses: number): void {
  if (trueIds.length !== predictedIds.length) throw new RangeError(`${trueIds.length} true labels but ${predictedIds.length} predictions`);
  for (const id of [...trueIds, ...predictedIds]) {
    if (!Number.isInteger(id) || id < 0 || id >= numClasses) throw new RangeError(`class id ${id} out of range 0..${numClasses - 1}`);
  }
}

function divide(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
