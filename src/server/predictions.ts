// The latest run's prediction for each data row, read from the run folder that training writes next to
// finetune.json: predictions.csv when present, else the misclassified rows of evaluation.json.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDelimited } from '../shared/data/delimited';
import type { Evaluation } from '../shared/run/types';
import type { LoadedProject } from '../shared/project/types';

export interface RowPrediction {
  runId: string;
  split?: string;
  label: string;
  predicted: string;
  /** Probability of the predicted label, when the run recorded it. */
  confidence?: number;
}

interface CachedRun {
  folder: string;
  mtimeMs: number;
  byRow: Map<number, RowPrediction>;
}

const cache = new Map<string, CachedRun>();

/** Returns the latest run's prediction for the data row starting on 1-based `row`, if that run has one. */
export function predictionForRow(loaded: LoadedProject, row: number): RowPrediction | undefined {
  return latestRunPredictions(loaded)?.get(row);
}

/** Reads the predictions of the newest run folder (run folders are named by their start time). */
export function latestRunPredictions(loaded: LoadedProject): Map<number, RowPrediction> | undefined {
  const runsFolder = path.resolve(loaded.root, loaded.project.output);
  let runs: string[];
  try {
    runs = fs
      .readdirSync(runsFolder, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort()
      .reverse();
  } catch {
    return undefined;
  }
  for (const run of runs) {
    const folder = path.join(runsFolder, run);
    const source = ['predictions.csv', 'evaluation.json'].map((name) => path.join(folder, name)).find((file) => fs.existsSync(file));
    if (!source) continue;
    const mtimeMs = fs.statSync(source).mtimeMs;
    const cached = cache.get(runsFolder);
    if (cached && cached.folder === folder && cached.mtimeMs === mtimeMs) return cached.byRow;
    const byRow = source.endsWith('.csv') ? readPredictionsCsv(source, run) : readEvaluation(source, run);
    cache.set(runsFolder, { folder, mtimeMs, byRow });
    return byRow;
  }
  return undefined;
}

/** Parses predictions.csv: `row,split,label,predicted,confidence`, one line per test row. */
function readPredictionsCsv(file: string, runId: string): Map<number, RowPrediction> {
  const byRow = new Map<number, RowPrediction>();
  const { records } = parseDelimited(fs.readFileSync(file, 'utf8'), ',');
  const header = records[0]?.fields.map((field) => field.value.trim()) ?? [];
  const column = (name: string) => header.indexOf(name);
  const [rowColumn, splitColumn, labelColumn, predictedColumn, confidenceColumn] = ['row', 'split', 'label', 'predicted', 'confidence'].map(column);
  if (rowColumn === -1 || predictedColumn === -1) return byRow;
  for (const record of records.slice(1)) {
    const cells = record.fields.map((field) => field.value);
    const row = Number(cells[rowColumn]);
    if (!Number.isInteger(row)) continue;
    const confidence = confidenceColumn === -1 ? NaN : Number(cells[confidenceColumn]);
    byRow.set(row, {
      runId,
      split: splitColumn === -1 ? undefined : cells[splitColumn],
      label: labelColumn === -1 ? '' : cells[labelColumn] ?? '',
      predicted: cells[predictedColumn] ?? '',
      confidence: Number.isFinite(confidence) ? confidence : undefined,
    });
  }
  return byRow;
}

/** Takes the misclassified rows of evaluation.json; rows predicted correctly are not listed there. */
function readEvaluation(file: string, runId: string): Map<number, RowPrediction> {
  const byRow = new Map<number, RowPrediction>();
  const evaluation = JSON.parse(fs.readFileSync(file, 'utf8')) as Evaluation;
  for (const item of evaluation.misclassified ?? []) {
    byRow.set(item.row, { runId, split: evaluation.split, label: item.label, predicted: item.predicted, confidence: item.probabilities?.[item.predicted] });
  }
  return byRow;
}
