// The detection behind "Fine-tune: New Project": a data file's encoding, format, delimiter, header and
// columns, a guess of the text and label columns, the label names found in the data, and the
// finetune.json written from the user's choices. Pure: no VS Code API.

import * as path from 'node:path';
import { parseDelimited, type Delimiter } from '../../shared/data/delimited';
import { decodeText, type TextEncoding } from '../../shared/data/encoding';
import { resolveFormat } from '../../shared/data/format';
import { jsonlColumns, parseJsonl } from '../../shared/data/jsonl';
import { normalizeLabel } from '../../shared/data/labels';
import { trimSpaces } from '../../shared/data/normalize';
import { UserInputError } from '../../shared/errors';
import { t } from '../../shared/l10n';
import { builtinTinyChineseBert } from '../../shared/project/presets';
import type { DataFormat } from '../../shared/project/types';

export interface DetectedDataFile {
  encoding: TextEncoding;
  bom: boolean;
  format: DataFormat;
  delimiter?: Delimiter;
  /** False when the first CSV/TSV row looks like data; the file then needs a header row added. */
  hasHeader: boolean;
  /** Header cells, or `column 1`, `column 2`, ... when the file has no header. */
  columns: string[];
  /** Cell values by column, for the rows read (at most `sampleRows`). */
  values: string[][];
  textColumn: number;
  /** -1 when no column looks like labels. */
  labelColumn: number;
}

/** Rows read to guess columns and labels; enough for the label values of a typical review file. */
const sampleRows = 5000;
/** A column with more distinct values than this is not taken for a label column. */
const maxLabelValues = 20;
/** Header names that mark a label column, in the languages users write them. */
const labelNames = /^(label|labels|class|category|sentiment|target|tag|y|标签|类别|分类|情感|极性|评价)$/i;
const textNames = /^(text|review|content|comment|sentence|评论|内容|文本|评价内容|句子)$/i;

/** Detects how a data file is written and which columns hold text and labels. */
export function detectDataFile(bytes: Uint8Array, file: string): DetectedDataFile {
  const decoded = decodeText(bytes, 'auto', file);
  const { format, delimiter } = resolveFormat(file, 'auto', decoded.text);
  const base = { encoding: decoded.encoding, bom: decoded.bom, format, delimiter };

  let columns: string[];
  let values: string[][];
  let hasHeader = true;
  if (format === 'jsonl') {
    const records = parseJsonl(decoded.text, file).slice(0, sampleRows);
    columns = jsonlColumns(records);
    values = columns.map((key) => records.map((record) => cellValue(record.value[key])));
  } else {
    const records = parseDelimited(decoded.text, delimiter ?? ',').records.filter((record) => record.fields.some((field) => trimSpaces(field.value) !== ''));
    if (records.length === 0) throw new UserInputError(t('{0} is empty. Choose a file with one review per row.', file), { file });
    const rows = records.slice(0, sampleRows + 1).map((record) => record.fields.map((field) => field.value));
    const width = Math.max(...rows.map((row) => row.length));
    hasHeader = looksLikeHeader(rows);
    const dataRows = hasHeader ? rows.slice(1) : rows;
    columns = Array.from({ length: width }, (_, i) => (hasHeader ? trimSpaces(rows[0][i] ?? '') : '') || t('column {0}', i + 1));
    values = columns.map((_, i) => dataRows.map((row) => row[i] ?? ''));
  }

  const textColumn = guessTextColumn(columns, values);
  const labelColumn = guessLabelColumn(columns, values, textColumn);
  return { ...base, hasHeader, columns, values, textColumn, labelColumn };
}

/**
 * Proposes the label map from a column's values, with names ordered by frequency (ties in order of
 * appearance). When every label is an integer they are ordered by value, so a 0/1 file keeps its ids.
 */
export function proposeLabels(values: readonly string[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) {
    const key = normalizeLabel(value);
    if (key !== '') counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const names = [...counts.keys()];
  const numeric = names.length > 0 && names.every((name) => /^-?\d+$/.test(name));
  // Array.prototype.sort is stable, so names seen first stay first among equal counts.
  names.sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => counts.get(b)! - counts.get(a)!);
  return Object.fromEntries(names.map((name, id) => [name, id]));
}

export interface ProjectAnswers {
  name: string;
  /** Absolute path of the data file. */
  dataFile: string;
  /** Folder where finetune.json is written. */
  projectFolder: string;
  textColumn: string;
  labelColumn: string;
  labels: Record<string, number>;
  /** `model.base`; the offline builtin preset when omitted. */
  base?: string;
}

/** Builds the finetune.json text from the user's choices plus the defaults a first run should use. */
export function buildProjectJson(answers: ProjectAnswers): string {
  const relative = path.relative(answers.projectFolder, answers.dataFile).split(path.sep).join('/');
  const project = {
    name: answers.name,
    task: 'classification',
    data: { file: relative, textColumn: answers.textColumn, labelColumn: answers.labelColumn },
    labels: answers.labels,
    model: { base: answers.base ?? builtinTinyChineseBert.id },
    targets: { accuracy: 0.9 },
  };
  // The schema is attached through package.json's jsonValidation, so no $schema key is written.
  return JSON.stringify(project, null, 2) + '\n';
}

/**
 * Returns whether the first row is a header. It is one when its cells are non-empty, distinct and not numbers, and it differs from
 * the rows below: shorter than the text column's values, or text above a column of numbers or labels.
 */
function looksLikeHeader(rows: string[][]): boolean {
  if (rows.length < 2) return true;
  const first = rows[0].map((cell) => trimSpaces(cell));
  if (first.some((cell) => cell === '') || new Set(first).size !== first.length) return false;
  if (first.some((cell) => /^[-+]?\d+(\.\d+)?$/.test(cell))) return false;
  if (first.some((cell) => labelNames.test(cell) || textNames.test(cell))) return true;

  const rest = rows.slice(1);
  return first.some((cell, column) => {
    const below = rest.map((row) => trimSpaces(row[column] ?? '')).filter((value) => value !== '');
    if (below.length === 0) return false;
    const numbersBelow = below.every((value) => /^[-+]?\d+(\.\d+)?$/.test(value));
    const meanLength = below.reduce((total, value) => total + value.length, 0) / below.length;
    const distinct = new Set(below).size;
    const labelLike = distinct <= maxLabelValues && distinct * 2 <= below.length;
    return numbersBelow || (labelLike && !below.includes(cell)) || cell.length * 2 < meanLength;
  });
}

function guessTextColumn(columns: string[], values: string[][]): number {
  const named = columns.findIndex((name) => textNames.test(name));
  if (named !== -1) return named;
  let best = 0;
  let bestLength = -1;
  values.forEach((column, index) => {
    const meanLength = column.reduce((total, value) => total + value.length, 0) / Math.max(1, column.length);
    if (meanLength > bestLength) {
      best = index;
      bestLength = meanLength;
    }
  });
  return best;
}

function guessLabelColumn(columns: string[], values: string[][], textColumn: number): number {
  const named = columns.findIndex((name, index) => index !== textColumn && labelNames.test(name));
  if (named !== -1) return named;
  let best = -1;
  let bestDistinct = Infinity;
  values.forEach((column, index) => {
    if (index === textColumn) return;
    const distinct = new Set(column.map((value) => normalizeLabel(value)).filter((value) => value !== '')).size;
    if (distinct >= 2 && distinct <= maxLabelValues && distinct < bestDistinct) {
      best = index;
      bestDistinct = distinct;
    }
  });
  return best;
}

function cellValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : String(value);
}
