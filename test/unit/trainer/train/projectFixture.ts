// A small classification project in a temporary folder for the training-loop tests: real reviews from
// ../shared/data/waimai_10k.csv, relabelled 好评/差评, on the builtin tiny BERT.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MetricsRecord } from '../../../../src/shared/run/types';

const sharedData = path.resolve(__dirname, '../../../../../shared/data');
export const repoRoot = path.resolve(__dirname, '../../../..');

export interface FixtureOptions {
  /** Reviews of each class; the first rows of each class in waimai_10k.csv. Default 40. */
  rowsPerClass?: number;
  /** Fields merged into "training" of finetune.json. */
  training?: Record<string, unknown>;
  /** model.maxLength. Default 32. */
  maxLength?: number;
}

export interface Fixture {
  root: string;
  projectFile: string;
  remove(): void;
}

export function createProject(options: FixtureOptions = {}): Fixture {
  const rowsPerClass = options.rowsPerClass ?? 40;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'finetune-train-'));
  const lines = fs.readFileSync(path.join(sharedData, 'waimai_10k.csv'), 'utf8').trim().split('\n').slice(1);
  const positive = lines.filter((line) => line.startsWith('1,')).slice(0, rowsPerClass);
  const negative = lines.filter((line) => line.startsWith('0,')).slice(0, rowsPerClass);
  const rows: string[] = [];
  positive.forEach((line, i) => rows.push(`${line.slice(2)},好评`, `${negative[i].slice(2)},差评`));
  fs.writeFileSync(path.join(root, 'reviews.csv'), ['review,label', ...rows].join('\n') + '\n');

  const project = {
    name: 'fixture',
    task: 'classification',
    data: { file: 'reviews.csv', textColumn: 'review', labelColumn: 'label' },
    labels: { 差评: 0, 好评: 1 },
    model: { base: 'builtin:tiny-chinese-bert', maxLength: options.maxLength ?? 32 },
    training: { epochs: 3, batchSize: 16, checkpointEverySteps: 1000, ...options.training },
    backend: 'wasm',
  };
  const projectFile = path.join(root, 'finetune.json');
  fs.writeFileSync(projectFile, JSON.stringify(project, null, 2));
  return { root, projectFile, remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** Returns the run folders under runs/, oldest first. */
export function runFolders(root: string): string[] {
  const runs = path.join(root, 'runs');
  return fs.existsSync(runs) ? fs.readdirSync(runs).map((name) => path.join(runs, name)).sort() : [];
}

export function readRecords(runDir: string): MetricsRecord[] {
  return fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as MetricsRecord);
}
