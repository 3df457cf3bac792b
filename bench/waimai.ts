// Trains the offline preset on the 11,987 real reviews of ../shared/data/waimai_10k.csv (80/10/10 split)
// and prints test accuracy, macro-F1, training throughput and peak memory, next to two references
// computed in the same run on the same split: always predicting the largest class, and a
// character-and-bigram multinomial Naive Bayes.
//
//   npx tsx bench/waimai.ts [--epochs N] [--rows N] [--backend NAME]

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readSplitFile } from '../src/shared/data/splitFile';
import { initL10n } from '../src/shared/l10n';
import type { StepRecord } from '../src/shared/run/types';
import { ConsoleReporter } from '../src/trainer/consoleReporter';
import { readMetrics } from '../src/trainer/train/runFolder';
import { trainProject } from '../src/trainer/train/trainProject';

const dataFile = path.resolve(__dirname, '../../shared/data/waimai_10k.csv');

async function main(): Promise<void> {
  initL10n('en');
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const index = args.indexOf(`--${name}`);
    return index >= 0 ? args[index + 1] : undefined;
  };
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'finetune-bench-'));
  let data = dataFile;
  const rows = option('rows');
  if (rows) {
    // A subset for quick checks: the header plus the first N rows of each label, in file order.
    const lines = fs.readFileSync(dataFile, 'utf8').split('\n');
    data = path.join(workDir, 'subset.csv');
    fs.writeFileSync(data, [lines[0], ...lines.slice(1).filter((line) => line.startsWith('1,')).slice(0, Number(rows) / 2), ...lines.slice(1).filter((line) => line.startsWith('0,')).slice(0, Number(rows) / 2)].join('\n'));
  }
  const project = {
    name: 'waimai-bench',
    data: { file: data, textColumn: 'review', labelColumn: 'label' },
    labels: { 差评: 0, 好评: 1 },
    ...(option('epochs') ? { training: { epochs: Number(option('epochs')) } } : {}),
    ...(option('backend') ? { backend: option('backend') } : {}),
    targets: { accuracy: 0.85 },
    output: path.join(workDir, 'runs'),
  };
  const projectFile = path.join(workDir, 'finetune.json');
  fs.writeFileSync(projectFile, JSON.stringify(project, null, 2));

  const reporter = new ConsoleReporter();
  const started = performance.now();
  const result = await trainProject({ projectFile }, reporter, { cancelled: false });
  const seconds = (performance.now() - started) / 1000;
  reporter.finish(result.runDir, result.status, result.evaluation);

  const records = readMetrics(result.runDir);
  const steps = records.filter((record): record is StepRecord => record.type === 'step');
  const end = records.find((record) => record.type === 'end');
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
  const bayes = naiveBayesReference(data, path.join(result.runDir, 'split.csv'));

  const evaluation = result.evaluation!;
  console.log('\n| figure | value |\n|---|---|');
  console.log(`| test accuracy | ${evaluation.accuracy.toFixed(4)} |`);
  console.log(`| test macro-F1 | ${evaluation.macroF1.toFixed(4)} |`);
  console.log(`| reference: always "${evaluation.majorityBaseline.label}" | ${evaluation.majorityBaseline.accuracy.toFixed(4)} |`);
  console.log(`| reference: char+bigram Naive Bayes | ${bayes.toFixed(4)} |`);
  console.log(`| accuracy / Naive Bayes | ${(evaluation.accuracy / bayes).toFixed(3)} |`);
  console.log(`| training samples/s (median of steps) | ${median(steps.map((step) => step.samplesPerSecond)).toFixed(1)} |`);
  console.log(`| training tokens/s (median of steps) | ${median(steps.map((step) => step.tokensPerSecond)).toFixed(0)} |`);
  console.log(`| peak memory (RSS) | ${end && end.type === 'end' ? (end.peakMemoryBytes / 2 ** 30).toFixed(2) : '?'} GiB |`);
  console.log(`| wall time, all epochs and evaluations | ${seconds.toFixed(0)} s |`);
  fs.rmSync(workDir, { recursive: true, force: true });
}

/** Multinomial Naive Bayes over characters and character bigrams, Laplace smoothing, on the run's split. */
function naiveBayesReference(csvFile: string, splitFile: string): number {
  const splitOfRow = readSplitFile(splitFile);
  const lines = fs.readFileSync(csvFile, 'utf8').split('\n');
  const features = (text: string) => {
    const chars = [...text];
    return [...chars, ...chars.slice(1).map((c, i) => chars[i] + c)];
  };
  const counts = [new Map<string, number>(), new Map<string, number>()];
  const totals = [0, 0];
  const docs = [0, 0];
  const test: { label: number; text: string }[] = [];
  lines.forEach((line, index) => {
    const comma = line.indexOf(',');
    if (index === 0 || comma < 0) return;
    const label = Number(line.slice(0, comma));
    const text = line.slice(comma + 1).replace(/^"|"$/g, '');
    const split = splitOfRow.get(index + 1);
    if (split === 'train') {
      docs[label]++;
      for (const feature of features(text)) {
        counts[label].set(feature, (counts[label].get(feature) ?? 0) + 1);
        totals[label]++;
      }
    } else if (split === 'test') {
      test.push({ label, text });
    }
  });
  const vocabulary = new Set([...counts[0].keys(), ...counts[1].keys()]).size;
  let correct = 0;
  for (const example of test) {
    const scores = [0, 1].map((c) => {
      let score = Math.log(docs[c] / (docs[0] + docs[1]));
      for (const feature of features(example.text)) score += Math.log(((counts[c].get(feature) ?? 0) + 1) / (totals[c] + vocabulary));
      return score;
    });
    if ((scores[1] > scores[0] ? 1 : 0) === example.label) correct++;
  }
  return correct / test.length;
}

void main();
