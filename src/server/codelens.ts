// Label codelenses: one lens per label name above each data row, the row's current label marked.

import { LabelResolver } from '../shared/data/labels';
import type { DatasetDocument } from './dataset';

/** Client command a lens runs; its arguments are the document URI, the row's first line and the label. */
export const setRowLabelCommand = 'finetune.setRowLabel';

export interface LabelLens {
  /** 0-based line of the row's first line. */
  line: number;
  title: string;
  label: string;
}

/** Mark after the label a row already has. */
const currentMark = ' ✓';

/** Builds the lenses of the rows on 0-based lines `firstLine..lastLine`; a multi-line record gets one set on its first line. */
export function labelLenses(document: DatasetDocument, labels: Record<string, number>, firstLine: number, lastLine: number): LabelLens[] {
  const resolver = new LabelResolver(labels);
  const lenses: LabelLens[] = [];
  const seen = new Set<number>();
  for (const row of document.rowsInLines(firstLine, lastLine)) {
    if (row.blank || row.parseError !== undefined || seen.has(row.index)) continue;
    seen.add(row.index);
    const resolution = resolver.resolve(row.rawLabel);
    const current = resolution.kind === 'known' ? resolution.id : -1;
    resolver.names.forEach((name, id) => {
      lenses.push({ line: row.line, label: name, title: id === current ? name + currentMark : name });
    });
  }
  return lenses;
}

/** Returns the first line of the next unlabelled (or wrongly labelled) row after `line`, wrapping around. */
export function nextUnlabelledLine(document: DatasetDocument, labels: Record<string, number>, line: number, skipRow?: number): number | undefined {
  const resolver = new LabelResolver(labels);
  const count = document.rowCount;
  if (count === 0) return undefined;
  const current = document.rowAtLine(line);
  const start = current ? current.index + 1 : firstRowAfterLine(document, line);
  for (let step = 0; step < count; step++) {
    const index = (start + step) % count;
    if (index === skipRow) continue;
    const row = document.row(index);
    if (row.blank || row.parseError !== undefined) continue;
    if (resolver.resolve(row.rawLabel).kind !== 'known') return row.line;
  }
  return undefined;
}

function firstRowAfterLine(document: DatasetDocument, line: number): number {
  let low = 0;
  let high = document.rowCount;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (document.row(middle).line <= line) low = middle + 1;
    else high = middle;
  }
  return low % Math.max(1, document.rowCount);
}
