// Checks of one dataset document: every problem the trainer would silently drop or change, found with
// the same label resolver, cleaner and duplicate key as the trainer, plus the label counts for the
// status bar. Pure: no LSP types, so the checks and quick fixes are testable without a connection.

import type { DetectedEncoding } from '../shared/data/encoding';
import { LabelResolver } from '../shared/data/labels';
import { TextCleaner } from '../shared/data/cleaning';
import type { TextMatch } from '../shared/data/detectors';
import { normalizeForDuplicates } from '../shared/data/normalize';
import { t } from '../shared/l10n';
import type { FinetuneProject } from '../shared/project/types';
import type { DatasetDocument, DatasetRow } from './dataset';
import type { WordPieceTokenizer } from './wordpiece';

export type IssueCode =
  | 'missing-label'
  | 'unknown-label'
  | 'empty-text'
  | 'mention'
  | 'hashtag'
  | 'url'
  | 'typo'
  | 'too-many-copies'
  | 'conflicting-labels'
  | 'too-long'
  | 'unknown-token'
  | 'same-tokens-different-labels'
  | 'not-utf8'
  | 'invalid-json'
  | 'cell-count'
  | 'missing-column';

export type IssueSeverity = 'error' | 'warning' | 'information';

/** One problem, located by document offsets (`end` exclusive). */
export interface DatasetIssue {
  code: IssueCode;
  severity: IssueSeverity;
  start: number;
  end: number;
  message: string;
  /** 0-based data row index, when the issue belongs to a row. */
  row?: number;
}

export interface DatasetStatsSummary {
  total: number;
  labelled: number;
  perLabel: Record<string, number>;
  warnings: string[];
}

interface CopyEntry {
  count: number;
  firstRow: number;
  firstLabel: number;
  /** Set from the second copy on. */
  rows?: number[];
  labels?: Set<number>;
}

export interface CheckContext {
  project: FinetuneProject;
  /** Undefined when the model's vocab.txt is not available; token checks are skipped then. */
  tokenizer?: WordPieceTokenizer;
  /** Encoding of the file on disk; undefined for a document that has no file yet. */
  encoding?: DetectedEncoding;
}

export interface CheckResult {
  issues: DatasetIssue[];
  stats: DatasetStatsSummary;
}

/** Fewer labelled rows than this rarely train a useful classifier, even from a pretrained model. */
export const minLabelledRows = 100;
/** A class with less than this share of the labelled rows is usually predicted poorly. */
export const minClassShare = 0.1;

/** Runs every check over the whole document. */
export function checkDataset(document: DatasetDocument, context: CheckContext): CheckResult {
  const { project, tokenizer } = context;
  const issues: DatasetIssue[] = [];
  const resolver = new LabelResolver(project.labels);
  const cleaner = new TextCleaner(project.cleaning);
  const perLabel: Record<string, number> = Object.fromEntries(resolver.names.map((name) => [name, 0]));
  let total = 0;
  let labelled = 0;

  if (context.encoding && context.encoding.encoding !== 'utf-8') {
    const firstLineEnd = Math.max(0, document.text.search(/\r|\n|$/));
    issues.push({
      code: 'not-utf8',
      severity: 'warning',
      start: 0,
      end: firstLineEnd,
      message: t('This file is encoded as {0}, not UTF-8. Other tools may show its Chinese text garbled. Convert it to UTF-8 (a backup of the original is kept).', context.encoding.encoding.toUpperCase()),
    });
  }
  for (const problem of document.columnProblems) {
    issues.push({
      code: 'missing-column',
      severity: 'error',
      start: 0,
      end: Math.max(0, document.text.search(/\r|\n|$/)),
      message: t('Column "{0}" not found. The file has the columns {1}. Set {2} in finetune.json to one of them.', problem.column, problem.existing.map((name) => `"${name}"`).join(', '), problem.field),
    });
  }
  if (document.columnProblems.length > 0) return { issues, stats: summarize(0, 0, perLabel) };

  // Per normalised text: the copies so far, for copies and conflicting labels. Most texts occur once, so
  // the label set and row list are only allocated for the second copy.
  const copies = new Map<string, CopyEntry>();
  // Per token id sequence (only for texts with [UNK]): the label ids and rows, for look-alike texts.
  const tokenSequences = new Map<string, { labels: Set<number>; rows: number[]; normalized: Set<string> }>();

  for (const row of document.rows()) {
    if (row.blank) continue;
    if (row.parseError !== undefined) {
      issues.push({ code: 'invalid-json', severity: 'error', start: row.start, end: row.end, message: row.parseError, row: row.index });
      continue;
    }
    total++;
    checkCellCount(document, row, issues);

    const resolution = resolver.resolve(row.rawLabel);
    const labelSpan = row.labelCell ?? { start: row.start, end: row.end };
    if (resolution.kind === 'unlabelled') {
      issues.push({ code: 'missing-label', severity: 'information', start: labelSpan.start, end: labelSpan.end, message: t('This row has no label and is not trained on. Choose a label.'), row: row.index });
    } else if (resolution.kind === 'unknown') {
      issues.push({
        code: 'unknown-label',
        severity: 'error',
        start: labelSpan.start,
        end: labelSpan.end,
        message: t('Label "{0}" is not in the label map of finetune.json ({1}). Choose one of them, or add it to "labels".', row.rawLabel ?? '', resolver.names.join(', ')),
        row: row.index,
      });
    } else {
      labelled++;
      perLabel[resolution.name]++;
    }

    const textSpan = row.textCell ?? { start: row.start, end: row.end };
    const matches = mayHaveMatches(row.text) ? cleaner.findStripped(row.text) : [];
    const typos = cleaner.findTypos(row.text);
    // Without matches, TextCleaner.clean only collapses whitespace; doing that here skips a second search.
    const cleaned = matches.length > 0 || typos.length > 0 ? cleaner.clean(row.text) : row.text.replace(/\s+/g, ' ').trim();
    if (cleaned === '') {
      issues.push({ code: 'empty-text', severity: 'warning', start: textSpan.start, end: textSpan.end, message: t('This row has no text left to train on. Delete the row or write the review.'), row: row.index });
      continue;
    }
    for (const match of [...matches, ...typos]) issues.push(matchIssue(document, row, match));

    if (resolution.kind === 'known') {
      const key = normalizeForDuplicates(cleaned);
      let entry = copies.get(key);
      if (!entry) {
        entry = { count: 0, firstRow: row.index, firstLabel: resolution.id };
        copies.set(key, entry);
      } else {
        entry.rows ??= [entry.firstRow];
        entry.labels ??= new Set([entry.firstLabel]);
        entry.rows.push(row.index);
        entry.labels.add(resolution.id);
      }
      entry.count++;
      const { maxCopies } = project.cleaning;
      if (maxCopies > 0 && entry.count > maxCopies) {
        issues.push({
          code: 'too-many-copies',
          severity: 'warning',
          start: row.start,
          end: row.end,
          message: t('This text already appears {0} times (cleaning.maxCopies is {1}); training drops this copy. Delete it.', entry.count - 1, maxCopies),
          row: row.index,
        });
      }
    }

    if (tokenizer) {
      // WordPiece drops whitespace, so the raw text has the cleaned text's tokens unless cleaning
      // stripped or replaced something.
      let count = 0;
      let hasUnknown = false;
      tokenizer.walk(row.text, (id, start, end) => {
        count++;
        if (id !== tokenizer.unkTokenId) return;
        hasUnknown = true;
        issues.push({
          code: 'unknown-token',
          severity: 'information',
          start: document.textOffset(row, start),
          end: document.textOffset(row, end),
          message: t('"{0}" is not in the model\'s vocabulary and reaches the model as [UNK], which carries no meaning.', row.text.slice(start, end)),
          row: row.index,
        });
      });
      const changedByCleaning = matches.length > 0 || typos.length > 0;
      // Token ids of the cleaned text, needed only when cleaning changed it or a text has [UNK].
      const cleanedIds = changedByCleaning || hasUnknown ? tokenizer.encode(cleaned, Number.MAX_SAFE_INTEGER).inputIds.slice(1, -1) : undefined;
      const length = (cleanedIds?.length ?? count) + 2;
      if (length > project.model.maxLength) {
        issues.push({
          code: 'too-long',
          severity: 'information',
          start: textSpan.start,
          end: textSpan.end,
          message: t('This text has {0} tokens with [CLS] and [SEP]; the model reads the first {1} (model.maxLength) and ignores the rest.', length, project.model.maxLength),
          row: row.index,
        });
      }
      if (resolution.kind === 'known' && hasUnknown) {
        const sequence = cleanedIds!.join(' ');
        let entry = tokenSequences.get(sequence);
        if (!entry) {
          entry = { labels: new Set(), rows: [], normalized: new Set() };
          tokenSequences.set(sequence, entry);
        }
        entry.labels.add(resolution.id);
        entry.rows.push(row.index);
        entry.normalized.add(normalizeForDuplicates(cleaned));
      }
    }
  }

  /** Adds one warning with the same code and message on each of `rows`. */
  const warnRows = (rows: readonly number[], code: 'conflicting-labels' | 'same-tokens-different-labels', message: string) => {
    for (const index of rows) {
      const row = document.row(index);
      issues.push({ code, severity: 'warning', start: row.start, end: row.end, message, row: index });
    }
  };

  for (const entry of copies.values()) {
    if (!entry.labels || !entry.rows || entry.labels.size < 2) continue;
    const names = [...entry.labels].map((id) => resolver.names[id]).join(', ');
    const message = t('The same text appears {0} times with different labels ({1}), which teaches the model both. Keep one label.', entry.rows.length, names);
    warnRows(entry.rows, 'conflicting-labels', message);
  }
  for (const entry of tokenSequences.values()) {
    // Texts that differ only in characters the tokenizer cannot read look identical to the model.
    if (entry.labels.size < 2 || entry.normalized.size < 2) continue;
    const names = [...entry.labels].map((id) => resolver.names[id]).join(', ');
    const message = t('{0} rows with different labels ({1}) differ only in characters the model reads as [UNK], so the model sees the same tokens. Relabel them or spell out the difference in words.', entry.rows.length, names);
    warnRows(entry.rows, 'same-tokens-different-labels', message);
  }

  issues.sort((a, b) => a.start - b.start);
  return { issues, stats: summarize(total, labelled, perLabel) };
}

/** Builds the status bar counts and their plain-language warnings. */
export function summarize(total: number, labelled: number, perLabel: Record<string, number>): DatasetStatsSummary {
  const warnings: string[] = [];
  if (labelled < minLabelledRows) {
    warnings.push(t('Only {0} rows are labelled. A classifier needs at least {1} labelled rows to learn anything reliable; label more rows before training.', labelled, minLabelledRows));
  }
  if (labelled > 0) {
    for (const [name, count] of Object.entries(perLabel)) {
      if (count / labelled < minClassShare) {
        const percent = ((100 * count) / labelled).toFixed(1);
        warnings.push(t('Label "{0}" has {1} rows, {2}% of the labelled rows. With under {3}% the model tends to never predict it; label more "{0}" rows.', name, count, percent, minClassShare * 100));
      }
    }
  }
  return { total, labelled, perLabel, warnings };
}

function matchIssue(document: DatasetDocument, row: DatasetRow, match: TextMatch): DatasetIssue {
  const start = document.textOffset(row, match.start);
  const end = document.textOffset(row, match.end);
  const messages: Record<TextMatch['kind'], string> = {
    mention: t('@mention "{0}": training strips it, since a user name says nothing about the review. Strip it here too.', match.text.trim()),
    hashtag: t('Topic "{0}": training strips #topics#. Strip it here too.', match.text),
    url: t('URL "{0}": training strips links. Strip it here too.', match.text),
    typo: t('"{0}" is listed as a typo in cleaning.replacements; training reads it as "{1}". Replace it.', match.text, match.replacement ?? ''),
  };
  return { code: match.kind, severity: match.kind === 'typo' ? 'warning' : 'information', start, end, message: messages[match.kind], row: row.index };
}

function checkCellCount(document: DatasetDocument, row: DatasetRow, issues: DatasetIssue[]): void {
  if (document.headerCells === 0 || row.cellCount === undefined || row.cellCount <= document.headerCells) return;
  issues.push({
    code: 'cell-count',
    severity: 'error',
    start: row.start,
    end: row.end,
    message: t('This row has {0} cells but the header has {1}. Put a cell that contains the delimiter in double quotes.', row.cellCount, document.headerCells),
    row: row.index,
  });
}

/** Cheap test that rules out @mentions, #topics# and URLs before the cleaner's three searches. */
function mayHaveMatches(text: string): boolean {
  return /[@＠#＃]|https?:|www\./i.test(text);
}
