// Hover text of a data row: the tokens and ids the model receives, and the latest run's prediction.

import { TextCleaner } from '../shared/data/cleaning';
import { t } from '../shared/l10n';
import type { LoadedProject } from '../shared/project/types';
import type { DatasetRow } from './dataset';
import type { RowPrediction } from './predictions';
import type { WordPieceTokenizer } from './wordpiece';

/** Tokens listed in a hover at most; a longer text ends with a count of the rest. */
const maxHoverTokens = 200;

/** Builds the Markdown of a row's hover. */
export function rowHover(row: DatasetRow, loaded: LoadedProject, tokenizer: WordPieceTokenizer | undefined, prediction: RowPrediction | undefined): string {
  const sections: string[] = [];
  const { maxLength } = loaded.project.model;

  if (tokenizer) {
    const cleaned = new TextCleaner(loaded.project.cleaning).clean(row.text);
    const { inputIds } = tokenizer.encode(cleaned, Number.MAX_SAFE_INTEGER);
    const shown = inputIds.slice(0, maxHoverTokens).map((id) => `${codeSpan(tokenizer.vocab[id] ?? '?')} ${id}`);
    const rest = inputIds.length > maxHoverTokens ? ' ' + t('… and {0} more', inputIds.length - maxHoverTokens) : '';
    const heading =
      inputIds.length > maxLength
        ? t('**Tokens** ({0}; the model reads the first {1})', inputIds.length, maxLength)
        : t('**Tokens** ({0} of at most {1})', inputIds.length, maxLength);
    sections.push(`${heading}\n\n${shown.join(' · ')}${rest}`);
    if (cleaned !== row.text.trim()) sections.push(t('Cleaned text the model sees: {0}', codeSpan(cleaned)));
  } else {
    sections.push(t('Tokens are not shown: the vocab.txt of model.base "{0}" is not on this computer yet. Train once to download the model.', loaded.project.model.base));
  }

  if (prediction) {
    const confidence = prediction.confidence === undefined ? '' : ` (${(prediction.confidence * 100).toFixed(1)}%)`;
    const verdict = prediction.predicted === prediction.label ? '✓' : '✗';
    sections.push(
      t('**Latest run** {0}: predicted "{1}"{2}, labelled "{3}" {4}', prediction.runId, prediction.predicted, confidence, prediction.label, verdict),
    );
  }
  return sections.join('\n\n---\n\n');
}

/** Wraps text in a Markdown code span long enough to contain its own backticks. */
function codeSpan(text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const padding = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${padding}${text}${padding}${fence}`;
}
