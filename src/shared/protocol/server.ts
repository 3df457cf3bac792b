// Custom messages between the extension host (vscode-languageclient) and the language server, beyond
// the standard LSP ones. Each message is a method name plus its parameter and result types. Lines are
// 0-based, as in LSP; `uri` is the document's URI as the client sent it.

import type { WorkspaceEdit } from 'vscode-languageserver-types';

/**
 * Client → server: the label codelenses of the rows on lines `firstLine..lastLine`. The client requests
 * the visible lines only (LSP's own codeLens request covers the whole document, too much for a file of
 * 100,000 rows) and asks again when the visible range changes.
 */
export const labelLensesMethod = 'finetune/labelLenses';

export interface LabelLensesParams {
  uri: string;
  firstLine: number;
  lastLine: number;
}

export interface LabelLensesResult {
  /** One lens per label name and row; `title` marks the row's current label with ✓. */
  lenses: { line: number; title: string; label: string }[];
}

/** Client → server: the edit that sets the label of the data row on `line` (any line of the record). */
export const labelEditMethod = 'finetune/labelEdit';

export interface LabelEditParams {
  uri: string;
  line: number;
  /** A label name of the project's label map. */
  label: string;
}

export interface LabelEditResult {
  /** Undefined when `line` contains no data row (the header, a blank line) or the label is not in the map. */
  edit?: WorkspaceEdit;
  /** First line of the next unlabelled row after this one, wrapping around; undefined when none is left. */
  nextUnlabelledLine?: number;
}

/** Client → server: the first line of the next unlabelled row after `line`, wrapping around. */
export const nextUnlabelledMethod = 'finetune/nextUnlabelled';

export interface NextUnlabelledParams {
  uri: string;
  line: number;
}

export interface NextUnlabelledResult {
  line?: number;
}

/** Client → server: the label names of the project that owns a dataset, in id order. */
export const datasetLabelsMethod = 'finetune/datasetLabels';

export interface DatasetLabelsParams {
  uri: string;
}

export interface DatasetLabelsResult {
  /** Empty when no finetune.json names this file. */
  labels: string[];
}

/**
 * Client → server: rewrite a data file as UTF-8 without a byte order mark, after copying the original
 * bytes to a backup file next to it. The client reloads the document afterwards.
 */
export const convertToUtf8Method = 'finetune/convertToUtf8';

export interface ConvertToUtf8Params {
  uri: string;
}

export interface ConvertToUtf8Result {
  /** Absolute path of the backup holding the original bytes. */
  backupFile: string;
  /** The encoding the file had. */
  encoding: string;
}

/**
 * Server → client: label counts of one dataset, sent after each check of the document, for the status
 * bar. `warnings` are localised sentences that explain what the counts mean for training.
 */
export const datasetStatsMethod = 'finetune/datasetStats';

export interface DatasetStats {
  uri: string;
  total: number;
  labelled: number;
  /** Label name → number of rows, every name of the label map included. */
  perLabel: Record<string, number>;
  warnings: string[];
}
