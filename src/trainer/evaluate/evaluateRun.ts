// `finetune evaluate <run folder>` and `finetune predict <run folder> <text>...`: load a run's best model
// (best/, Hugging Face layout) and score its test split again, or label new texts.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSplitFile } from '../../shared/data/splitFile';
import { UserInputError } from '../../shared/errors';
import { t } from '../../shared/l10n';
import type { Evaluation } from '../../shared/run/types';
import { selectBackend } from '../backend/select';
import { loadBertForSequenceClassification } from '../models/bert/pretrained';
import { loadTokenizer } from '../tokenizer';
import type { EncodedExample } from '../train/batches';
import { evaluateExamples, writeTestEvaluation } from '../train/evaluation';
import { labelMapsOf, loadRunProject, readCleanExamples } from '../train/prepare';
import type { TrainingReporter } from '../train/reporter';
import { runFiles } from '../train/runFolder';

export interface Prediction {
  text: string;
  label: string;
  confidence: number;
  probabilities: Record<string, number>;
}

/** Scores the run's best model on the run's own test split and rewrites evaluation.json. */
export async function evaluateRun(runDir: string, reporter: TrainingReporter): Promise<Evaluation> {
  const run = await loadBestModel(runDir, reporter);
  try {
    const { kept } = readCleanExamples(run.loaded, run.loaded.project, reporter);
    // The split saved with the run decides what is test data, whatever was appended to the file since.
    const splitOfRow = readSplitFile(path.join(runDir, runFiles.split));
    const test: EncodedExample[] = [];
    const textsByRow = new Map<number, string>();
    for (const example of kept) {
      if (splitOfRow.get(example.row) !== 'test') continue;
      test.push({ row: example.row, inputIds: run.tokenizer.encode(example.text, run.loaded.project.model.maxLength).inputIds, label: example.label });
      textsByRow.set(example.row, example.originalText);
    }
    const scores = await evaluateExamples(run.model, test, run.labelNames.length, run.tokenizer.padTokenId, run.loaded.project.training.batchSize);
    return writeTestEvaluation(
      { runDir, labelNames: run.labelNames, targetAccuracy: run.loaded.project.targets.accuracy, test, textsByRow, scores },
      (level, message) => reporter.log(level, message),
    );
  } finally {
    run.model.dispose();
  }
}

/** Labels each text with the run's best model. */
export async function predictTexts(runDir: string, texts: string[], reporter: TrainingReporter): Promise<Prediction[]> {
  const run = await loadBestModel(runDir, reporter);
  try {
    const examples: EncodedExample[] = texts.map((text, index) => ({ row: index + 1, inputIds: run.tokenizer.encode(text, run.loaded.project.model.maxLength).inputIds, label: 0 }));
    const scores = await evaluateExamples(run.model, examples, run.labelNames.length, run.tokenizer.padTokenId, run.loaded.project.training.batchSize);
    return texts.map((text, i) => {
      const predicted = scores.predicted[i];
      return {
        text,
        label: run.labelNames[predicted],
        confidence: scores.probabilities[i][predicted],
        probabilities: Object.fromEntries(run.labelNames.map((name, c) => [name, scores.probabilities[i][c]])),
      };
    });
  } finally {
    run.model.dispose();
  }
}

async function loadBestModel(runDir: string, reporter: TrainingReporter) {
  const absolute = path.resolve(runDir);
  const loaded = loadRunProject(absolute);
  const bestDir = path.join(absolute, runFiles.best);
  if (!fs.existsSync(path.join(bestDir, 'model.safetensors'))) {
    throw new UserInputError(t('{0} has no trained model yet (best/model.safetensors is missing). Let the training finish at least one epoch.', absolute), { file: bestDir });
  }
  const backend = await selectBackend(loaded.project.backend);
  reporter.log('info', t('Backend: {0} on {1}.', backend.name, backend.device));
  const { labelNames, labelMaps } = labelMapsOf(loaded.project.labels);
  const tokenizer = await loadTokenizer(bestDir);
  const { model } = await loadBertForSequenceClassification(bestDir, labelNames.length, labelMaps);
  return { loaded, labelNames, tokenizer, model };
}
