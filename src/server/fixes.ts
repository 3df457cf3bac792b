// Quick fixes for the issues of checks.ts: each fix is a list of text edits on the document, so the
// client applies it as one undoable WorkspaceEdit. A "fix all" variant applies the same fix to every
// issue of its kind in the document.

import { LabelResolver } from '../shared/data/labels';
import { TextCleaner } from '../shared/data/cleaning';
import type { TextMatch } from '../shared/data/detectors';
import { t } from '../shared/l10n';
import type { CheckContext, DatasetIssue, IssueCode } from './checks';
import { labelWriter } from './codelens';
import type { DatasetDocument, DatasetRow } from './dataset';

export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** True for the fix that is most likely what the user wants. */
  preferred?: boolean;
  /** Set instead of `edits` for fixes that run a client command, such as converting the encoding. */
  command?: { command: string; arguments: unknown[] };
  /** True for a fix that resolves every issue of its kind in the document. */
  isFixAll?: boolean;
}

/** Client command that converts a data file to UTF-8; its argument is the document URI. */
export const convertToUtf8Command = 'finetune.convertToUtf8';

/** Returns the fixes for one issue, the "fix all of this kind" ones included, given every issue of the document. */
export function fixesFor(document: DatasetDocument, issue: DatasetIssue, allIssues: readonly DatasetIssue[], context: CheckContext, uri: string): Fix[] {
  const row = issue.row === undefined ? undefined : document.row(issue.row);
  const sameKind = allIssues.filter((other) => other.code === issue.code);
  const cleaner = new TextCleaner(context.project.cleaning);

  switch (issue.code) {
    case 'missing-label':
    case 'unknown-label':
      return row ? labelFixes(document, row, issue, sameKind, context) : [];
    case 'empty-text':
    case 'too-many-copies': {
      if (!row) return [];
      const single: Fix = { title: t('Delete this row'), edits: [deleteRow(row)], preferred: true };
      const rows = uniqueRows(document, sameKind);
      if (rows.length < 2) return [single];
      const title = issue.code === 'empty-text' ? t('Delete all {0} rows with no text', rows.length) : t('Delete all {0} extra copies', rows.length);
      return [single, { title, edits: rows.map(deleteRow), isFixAll: true }];
    }
    case 'mention':
    case 'hashtag':
    case 'url':
    case 'typo': {
      if (!row) return [];
      const single: Fix = { title: matchFixTitle(issue.code, 1), edits: [rewriteText(document, row, cleaner, issue.code)], preferred: true };
      const rows = uniqueRows(document, sameKind);
      if (sameKind.length < 2) return [single];
      return [single, { title: matchFixTitle(issue.code, sameKind.length), edits: rows.map((other) => rewriteText(document, other, cleaner, issue.code)), isFixAll: true }];
    }
    case 'not-utf8':
      return [{ title: t('Convert this file to UTF-8 (keeps a backup)'), edits: [], command: { command: convertToUtf8Command, arguments: [uri] }, preferred: true }];
    default:
      return [];
  }
}

/** Applies non-overlapping edits to `text`, for tests and for checking a fix before sending it. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start);
  let result = text;
  for (const edit of sorted) result = result.slice(0, edit.start) + edit.newText + result.slice(edit.end);
  return result;
}

function labelFixes(document: DatasetDocument, row: DatasetRow, issue: DatasetIssue, sameKind: readonly DatasetIssue[], context: CheckContext): Fix[] {
  const names = new LabelResolver(context.project.labels).names;
  const write = labelWriter(document, context.project.labels);
  const fixes: Fix[] = names.map((name) => ({ title: t('Set the label to "{0}"', name), edits: [document.labelEdit(row, write(name))] }));

  // "Fix all": the same choice for every row with the same unknown label, or for every unlabelled row.
  const rows = uniqueRows(document, sameKind).filter((other) => other.rawLabel === row.rawLabel);
  if (rows.length < 2) return fixes;
  for (const name of names) {
    const title =
      issue.code === 'unknown-label'
        ? t('Replace label "{0}" with "{1}" on all {2} rows', row.rawLabel ?? '', name, rows.length)
        : t('Set the label of all {0} unlabelled rows to "{1}"', rows.length, name);
    fixes.push({ title, edits: rows.map((other) => document.labelEdit(other, write(name))), isFixAll: true });
  }
  return fixes;
}

function matchFixTitle(code: IssueCode, count: number): string {
  if (count === 1) {
    if (code === 'mention') return t('Strip the @mention');
    if (code === 'hashtag') return t('Strip the #topic#');
    if (code === 'url') return t('Strip the URL');
    return t('Replace the typo');
  }
  if (code === 'mention') return t('Strip all {0} @mentions in this file', count);
  if (code === 'hashtag') return t('Strip all {0} #topics# in this file', count);
  if (code === 'url') return t('Strip all {0} URLs in this file', count);
  return t('Replace all {0} typos in this file', count);
}

/** Rewrites a row's text cell with every match of `kind` stripped (or, for typos, replaced). */
function rewriteText(document: DatasetDocument, row: DatasetRow, cleaner: TextCleaner, kind: IssueCode): TextEdit {
  const matches: TextMatch[] = kind === 'typo' ? cleaner.findTypos(row.text) : cleaner.findStripped(row.text).filter((match) => match.kind === kind);
  let value = '';
  let position = 0;
  for (const match of matches) {
    value += row.text.slice(position, match.start);
    if (kind === 'typo') value += match.replacement ?? match.text;
    position = match.end;
  }
  value += row.text.slice(position);
  if (kind !== 'typo') value = value.replace(/[ \u3000]{2,}/g, ' ').trim();
  return document.textEdit(row, value);
}

function deleteRow(row: DatasetRow): TextEdit {
  return { start: row.start, end: row.endWithLineBreak, newText: '' };
}

function uniqueRows(document: DatasetDocument, issues: readonly DatasetIssue[]): DatasetRow[] {
  const indices = [...new Set(issues.flatMap((issue) => (issue.row === undefined ? [] : [issue.row])))];
  return indices.sort((a, b) => a - b).map((index) => document.row(index));
}
