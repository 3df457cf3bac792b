// Scoring a model on a split: validation after every epoch, and the test split with the best model at
// the end of a run (evaluation.json and predictions.csv).

import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomic, writeJsonAtomic } from '../../shared/files';
import { t } from '../../shared/l10n';
import { accuracy, confusionMatrix, macroF1 } from '../../shared/metrics/classification';
import { buildEvaluation } from '../../shared/metrics/evaluation';
import type { Evaluation } from '../../shared/run/types';
import type { BertForSequenceClassification } from '../models/bert/model';
import { readSafetensors } from '../weights/safetensors';
import { evaluationBatchOrder, makeBatch, type EncodedExample } from './batches';
import type { PreparedRun } from './prepare';
import { runFiles } from './runFolder';
import { predict } from './step';


export interface SplitScores {
  loss: number;
  accuracy: number;
  macroF1: number;
  /** Per example in input order: predicted class id. */
  predicted: number[];
  /** Per example in input order: probability of each class. */
  probabilities: number[][];
}

/**
 * Scores examples in batches of `batchSize`. Callers pass the training batch size: a forward pass
 * without gradients needs less memory than a training step of the same batch, which the memory check
 * before training has already accepted.
 */
export async function evaluateExamples(
  model: BertForSequenceClassification,
  examples: EncodedExample[],
  numLabels: number,
  padTokenId: number,
  batchSize: number,
): Promise<SplitScores> {
  const predicted = new Array<number>(examples.length);
  const probabilities = new Array<number[]>(examples.length);
  let lossSum = 0;
  for (const indices of evaluationBatchOrder(examples, batchSize)) {
    const batch = makeBatch(examples, indices, padTokenId);
    const flat = await predict(model, batch);
    indices.forEach((exampleIndex, b) => {
      const row = Array.from(flat.subarray(b * numLabels, (b + 1) * numLabels));
      let best = 0;
      for (let c = 1; c < numLabels; c++) if (row[c] > row[best]) best = c;
      predicted[exampleIndex] = best;
      probabilities[exampleIndex] = row;
      // Clamped so one confident mistake gives a large but finite loss, as a float32 log-softmax would.
      lossSum -= Math.log(Math.max(row[examples[exampleIndex].label], 1e-12));
    });
  }
  const trueIds = examples.map((example) => example.label);
  const count = Math.max(1, examples.length);
  return {
    loss: lossSum / count,
    accuracy: examples.length === 0 ? 0 : accuracy(trueIds, predicted),
    macroF1: examples.length === 0 ? 0 : macroF1(confusionMatrix(trueIds, predicted, numLabels)),
    predicted,
    probabilities,
  };
}

/** Loads best/ into the model, scores the test split and writes evaluation.json and predictions.csv. */
export async function testEvaluation(run: PreparedRun, log: LogFunction): Promise<Evaluation> {
  loadWeights(run.model, path.join(run.runDir, runFiles.best, 'model.safetensors'));
  const test = run.splits.test;
  const scores = await evaluateExamples(run.model, test, run.numLabels, run.tokenizer.padTokenId, run.project.training.batchSize);
  return writeTestEvaluation(
    { runDir: run.runDir, labelNames: run.labelNames, targetAccuracy: run.project.targets.accuracy, test, textsByRow: run.textsByRow, scores },
    log,
  );
}

export type LogFunction = (level: 'info' | 'warn' | 'error', message: string) => void;

export interface TestScores {
  runDir: string;
  labelNames: string[];
  targetAccuracy: number;
  test: EncodedExample[];
  /** Texts as written in the data file, by row. */
  textsByRow: Map<number, string>;
  scores: SplitScores;
}

/** Builds the Evaluation of the test split and writes evaluation.json and predictions.csv. */
export function writeTestEvaluation(input: TestScores, log: LogFunction): Evaluation {
  const { test, scores, labelNames } = input;
  if (test.length === 0) log('warn', t('The test split is empty, so the test accuracy below means nothing. Add more labelled rows.'));
  const evaluation = buildEvaluation({
    split: 'test',
    labels: labelNames,
    trueIds: test.map((example) => example.label),
    predictedIds: scores.predicted,
    probabilities: scores.probabilities,
    rows: test.map((example) => example.row),
    texts: test.map((example) => input.textsByRow.get(example.row) ?? ''),
    targetAccuracy: input.targetAccuracy,
  });
  // The most confident mistakes first: they are the likeliest labelling errors.
  evaluation.misclassified.sort((a, b) => b.probabilities[b.predicted] - a.probabilities[a.predicted]);
  writeJsonAtomic(path.join(input.runDir, runFiles.evaluation), evaluation);

  const lines = ['row,split,label,predicted,confidence'];
  test.forEach((example, i) => {
    const predicted = scores.predicted[i];
    lines.push([example.row, 'test', csvCell(labelNames[example.label]), csvCell(labelNames[predicted]), scores.probabilities[i][predicted].toFixed(4)].join(','));
  });
  writeFileAtomic(path.join(input.runDir, runFiles.predictions), lines.join('\n') + '\n');

  if (evaluation.noBetterThanMajority) {
    log(
      'warn',
      t(
        'Test accuracy {0}% is no better than always answering "{1}" ({2}%). The model has not learned more than the most common label: add data, label the rarer classes, or train longer.',
        (evaluation.accuracy * 100).toFixed(1),
        evaluation.majorityBaseline.label,
        (evaluation.majorityBaseline.accuracy * 100).toFixed(1),
      ),
    );
  }
  return evaluation;
}

/** Copies weights from a safetensors file into the model's variables, by Hugging Face name. */
export function loadWeights(model: BertForSequenceClassification, file: string): void {
  const tensors = readSafetensors(file).tensors;
  for (const [name, variable] of model.weights) {
    const saved = tensors.get(name);
    if (!saved) throw new Error(`${file} lacks the weight ${name}`);
    tf.tidy(() => variable.assign(tf.tensor(saved.data as Float32Array, saved.shape, 'float32')));
  }
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
