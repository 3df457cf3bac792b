// Choosing how to parse a data file when finetune.json sets `format: auto`.
import * as path from 'node:path';
import type { DataFormat } from '../project/types';
import type { Delimiter } from './delimited';

export interface ResolvedFormat {
  format: DataFormat;
  /** Set for CSV and TSV. */
  delimiter?: Delimiter;
}

/**
 * Resolves the format of a data file. `.csv` is comma-separated, `.tsv` and `.tab` tab-separated,
 * `.jsonl` and `.ndjson` JSON Lines. For `.txt` and any other extension the first line of `text` is
 * sniffed: JSON Lines when it starts with `{`, tab-separated when it contains a tab, else comma-separated.
 */
export function resolveFormat(file: string, format: DataFormat | 'auto', text = ''): ResolvedFormat {
  if (format === 'csv') return { format, delimiter: ',' };
  if (format === 'tsv') return { format, delimiter: '\t' };
  if (format === 'jsonl') return { format };

  const extension = path.extname(file).toLowerCase();
  if (extension === '.csv') return { format: 'csv', delimiter: ',' };
  if (extension === '.tsv' || extension === '.tab') return { format: 'tsv', delimiter: '\t' };
  if (extension === '.jsonl' || extension === '.ndjson') return { format: 'jsonl' };
  return sniffFormat(text);
}

/** Guesses the format from the first non-blank line of `text`. */
export function sniffFormat(text: string): ResolvedFormat {
  const firstLine = /^[\uFEFF\s]*([^\r\n]*)/.exec(text)?.[1] ?? '';
  if (firstLine.startsWith('{')) return { format: 'jsonl' };
  if (firstLine.includes('\t')) return { format: 'tsv', delimiter: '\t' };
  return { format: 'csv', delimiter: ',' };
}
