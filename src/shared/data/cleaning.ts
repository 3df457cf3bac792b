// Cleaning examples in memory before training. The user's file is never edited here; the language server
// offers the same changes as quick fixes.
import type { CleaningConfig } from '../project/types';
import { TextCleaner } from './detectors';
import { LabelResolver } from './labels';
import { characterCount, normalizeForDuplicates } from './normalize';
import type { Example, LabelledExample } from './types';

// Re-exported because callers that clean texts one at a time (the language server) look for it here.
export { TextCleaner } from './detectors';

export type DropReason = 'unlabelled' | 'unknown-label' | 'empty-text' | 'too-short' | 'duplicate';

export interface DroppedRow {
  row: number;
  reason: DropReason;
  /** The text as written in the file. */
  text: string;
  rawLabel?: string;
  /** For `duplicate`, the row of the first kept copy. */
  firstCopyRow?: number;
}

export interface CleaningResult {
  kept: LabelledExample[];
  /** Dropped rows in file order. */
  dropped: DroppedRow[];
}

/**
 * Maps labels and cleans texts, row by row in file order. A row with an unknown label is dropped. Its
 * text is then cleaned by TextCleaner.clean, and dropped when the result is empty or shorter than
 * `minLength` characters. Last, a row whose normalised text already has `maxCopies` kept copies is
 * dropped, so the first copies in file order are kept. Unlabelled rows passed in are dropped as
 * `unlabelled`.
 */
export function cleanExamples(examples: readonly Example[], labels: Record<string, number> | LabelResolver, cleaning: CleaningConfig): CleaningResult {
  const resolver = labels instanceof LabelResolver ? labels : new LabelResolver(labels);
  const cleaner = new TextCleaner(cleaning);
  const firstCopies = new Map<string, { row: number; copies: number }>();
  const kept: LabelledExample[] = [];
  const dropped: DroppedRow[] = [];

  for (const example of examples) {
    const drop = (reason: DropReason, firstCopyRow?: number) => {
      const row: DroppedRow = { row: example.row, reason, text: example.text };
      if (example.rawLabel !== undefined) row.rawLabel = example.rawLabel;
      if (firstCopyRow !== undefined) row.firstCopyRow = firstCopyRow;
      dropped.push(row);
    };

    const resolution = resolver.resolve(example.rawLabel);
    if (resolution.kind !== 'known') {
      drop(resolution.kind === 'unknown' ? 'unknown-label' : 'unlabelled');
      continue;
    }

    const text = cleaner.clean(example.text);
    if (text === '') {
      drop('empty-text');
      continue;
    }
    if (characterCount(text) < cleaning.minLength) {
      drop('too-short');
      continue;
    }

    const key = normalizeForDuplicates(text);
    const first = firstCopies.get(key);
    if (first && cleaning.maxCopies > 0 && first.copies >= cleaning.maxCopies) {
      drop('duplicate', first.row);
      continue;
    }
    if (first) first.copies++;
    else firstCopies.set(key, { row: example.row, copies: 1 });

    kept.push({ row: example.row, text, originalText: example.text, label: resolution.id });
  }
  return { kept, dropped };
}
