// Label codelenses: one lens per label name above each data row, the row's current label marked.

import { LabelResolver, normalizeLabel } from '../shared/data/labels';
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

/** Labelled rows looked at to tell whether a file writes labels as names or as class ids. */
const styleSampleRows = 200;

/**
 * Returns how to write a label in this file: as the class id when most labelled rows write ids (a 0/1
 * file with the map {"差评": 0, "好评": 1}), otherwise as the name.
 */
export function labelWriter(document: DatasetDocument, labels: Record<string, number>): (name: string) => string {
  const resolver = new LabelResolver(labels);
  const names = new Set(resolver.names.map((name) => normalizeLabel(name)));
  let asIds = 0;
  let asNames = 0;
  for (let index = 0; index < document.rowCount && asIds + asNames < styleSampleRows; index++) {
    const raw = document.row(index).rawLabel;
    if (raw === undefined || resolver.resolve(raw).kind !== 'known') continue;
    if (names.has(normalizeLabel(raw))) asNames++;
    else asIds++;
  }
  return asIds > asNames ? (name) => String(labels[name]) : (name) => name;
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
