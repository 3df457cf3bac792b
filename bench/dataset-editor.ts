// Times the language server's work on a 100,000-row CSV built from the real reviews in
// ../shared/data/waimai_10k.csv: all diagnostics (target under 1 s) and the label codelenses of one
// visible screen (target under 50 ms). Each figure is also printed as a ratio to a plain parse of the
// same file with the shared CSV parser, measured in the same run, so runs on different machines compare.
//
// Usage: npx tsx bench/dataset-editor.ts [rows]

import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseDelimited } from '../src/shared/data/delimited';
import { parseProject } from '../src/shared/project/load';
import { checkDataset } from '../src/server/checks';
import { labelLenses } from '../src/server/codelens';
import { openDataset } from '../src/server/dataset';
import { builtinVocabFile, tokenizerFor } from '../src/server/vocabulary';

const rowCount = Number(process.argv[2] ?? 100_000);
const repeats = 5;
/** Lines of one editor screen plus the margin the client asks for above and below it. */
const visibleLines = 60 + 2 * 40;

const source = fs.readFileSync(path.resolve(__dirname, '../../shared/data/waimai_10k.csv'), 'utf8').split(/\r?\n/);
const reviews = source.slice(1).filter((line) => line !== '');
const lines = ['review,label'];
for (let i = 0; lines.length <= rowCount; i++) {
  const line = reviews[i % reviews.length];
  const comma = line.indexOf(',');
  const label = line.slice(0, comma) === '1' ? '好评' : '差评';
  let text = line.slice(comma + 1);
  // Later passes over the reviews get a suffix, so the file is not mostly exact copies.
  const pass = Math.floor(i / reviews.length);
  if (pass > 0) text = text.startsWith('"') ? `"${text.slice(1, -1)}（${pass}）"` : `${text}（${pass}）`;
  // Every tenth row is left unlabelled, as in a file being labelled.
  lines.push(`${text},${i % 10 === 9 ? '' : label}`);
}
const text = lines.join('\n') + '\n';

const { loaded } = parseProject(
  JSON.stringify({ data: { file: 'reviews.csv', textColumn: 'review', labelColumn: 'label' }, labels: { 差评: 0, 好评: 1 } }),
  path.join(process.cwd(), 'finetune.json'),
);
const project = loaded!.project;
const tokenizer = tokenizerFor(builtinVocabFile());

function median(run: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(repeats / 2)];
}

const parseMs = median(() => parseDelimited(text, ','));
let issueCount = 0;
const diagnosticsMs = median(() => {
  const dataset = openDataset(text, 'csv', { textColumn: 'review', labelColumn: 'label' }, ',');
  issueCount = checkDataset(dataset, { project, tokenizer }).issues.length;
});
const openMs = median(() => openDataset(text, 'csv', { textColumn: 'review', labelColumn: 'label' }, ','));
const opened = openDataset(text, 'csv', { textColumn: 'review', labelColumn: 'label' }, ',');
let lensCount = 0;
const middle = Math.floor(rowCount / 2);
let screen = 0;
const lensesMs = median(() => {
  // A new screen each time, so no row comes from the row cache of an earlier repeat.
  const first = middle + screen++ * visibleLines;
  lensCount = labelLenses(opened, project.labels, first, first + visibleLines - 1).length;
});

const format = (ms: number) => `${ms.toFixed(1)} ms`;
console.log(`rows: ${rowCount}, characters: ${text.length}, issues: ${issueCount}`);
console.log(`reference, plain CSV parse:         ${format(parseMs)}`);
console.log(`diagnostics of the whole file:      ${format(diagnosticsMs)} (${(diagnosticsMs / parseMs).toFixed(2)}x the parse; target under 1 s)`);
console.log(`record index, once per edit:        ${format(openMs)} (${(openMs / parseMs).toFixed(2)}x the parse)`);
console.log(`codelenses for ${visibleLines} lines (${lensCount}): ${format(lensesMs)} (${(lensesMs / parseMs).toFixed(3)}x the parse; target under 50 ms)`);
