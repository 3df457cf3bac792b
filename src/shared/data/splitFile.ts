// The split file of a run folder, split.csv: a header `row,split`, then one line per example with its
// 1-based source row and `train`, `validation` or `test`.
import * as fs from 'node:fs';
import { UserInputError } from '../errors';
import { t } from '../l10n';
import { splitNames } from './split';
import type { SplitName } from './types';

export interface SplitEntry {
  row: number;
  split: SplitName;
}

export function formatSplitFile(entries: readonly SplitEntry[]): string {
  return ['row,split', ...entries.map((entry) => `${entry.row},${entry.split}`)].join('\n') + '\n';
}

/** Parses split.csv text into a map from row to split. Throws UserInputError naming a malformed line. */
export function parseSplitFile(text: string, file: string): Map<number, SplitName> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  if ((lines[0] ?? '').trim() !== 'row,split') {
    throw new UserInputError(t('{0} does not start with the header "row,split". Delete the file to let the next run write a new split.', file), {
      file,
      row: 1,
    });
  }

  const splits = new Map<number, SplitName>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const match = /^(\d+),(\w+)$/.exec(line);
    const split = match?.[2] as SplitName | undefined;
    if (!match || !split || !splitNames.includes(split)) {
      throw new UserInputError(t('Line {0} of {1} is not "row,split" with split train, validation or test. Fix or delete the line.', i + 1, file), {
        file,
        row: i + 1,
      });
    }
    splits.set(Number(match[1]), split);
  }
  return splits;
}

export function writeSplitFile(file: string, entries: readonly SplitEntry[]): void {
  fs.writeFileSync(file, formatSplitFile(entries), 'utf8');
}

export function readSplitFile(file: string): Map<number, SplitName> {
  return parseSplitFile(fs.readFileSync(file, 'utf8'), file);
}
