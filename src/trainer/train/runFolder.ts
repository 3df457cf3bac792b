// A run folder: runs/<timestamp>-<name>/ next to finetune.json. A new run never reuses or overwrites an
// existing folder; the layout is documented in src/shared/run/types.ts.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MetricsRecord } from '../../shared/run/types';

export const runFiles = {
  project: 'finetune.json',
  split: 'split.csv',
  metrics: 'metrics.jsonl',
  log: 'train.log',
  checkpoint: 'checkpoint',
  best: 'best',
  evaluation: 'evaluation.json',
  predictions: 'predictions.csv',
} as const;

/** Creates `<outputDir>/<YYYYMMDD-HHMMSS>-<name>`, adding -2, -3, ... when that name is taken. */
export function createRunFolder(outputDir: string, name: string, now = new Date()): string {
  fs.mkdirSync(outputDir, { recursive: true });
  const stamp = [
    now.getFullYear(),
    pad(now.getMonth() + 1),
    pad(now.getDate()),
    '-',
    pad(now.getHours()),
    pad(now.getMinutes()),
    pad(now.getSeconds()),
  ].join('');
  const safeName = name.replace(/[^\p{L}\p{N}_.-]+/gu, '-').slice(0, 60) || 'run';
  for (let attempt = 1; ; attempt++) {
    const folder = path.join(outputDir, `${stamp}-${safeName}${attempt === 1 ? '' : `-${attempt}`}`);
    try {
      // Without `recursive`, mkdir fails when the folder exists: two runs can never share one.
      fs.mkdirSync(folder);
      return folder;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** Appends records to metrics.jsonl and lines to train.log of one run folder. */
export class RunWriter {
  constructor(readonly runDir: string) {}

  metrics(record: MetricsRecord): void {
    fs.appendFileSync(path.join(this.runDir, runFiles.metrics), JSON.stringify(record) + '\n');
  }

  log(line: string): void {
    fs.appendFileSync(path.join(this.runDir, runFiles.log), `${new Date().toISOString()} ${line}\n`);
  }
}

/** Reads metrics.jsonl, skipping a last line cut short by a crash. */
export function readMetrics(runDir: string): MetricsRecord[] {
  const file = path.join(runDir, runFiles.metrics);
  if (!fs.existsSync(file)) return [];
  const records: MetricsRecord[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      records.push(JSON.parse(line) as MetricsRecord);
    } catch {
      // Only the line being written when the process died can be incomplete.
    }
  }
  return records;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
