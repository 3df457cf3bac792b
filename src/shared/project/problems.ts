// Problems found in a finetune.json, with their positions, and the error that lists them.

import * as path from 'node:path';
import { UserInputError } from '../errors';
import { t } from '../l10n';

export interface ProjectProblem {
  /** Errors stop the project from loading. Warnings, such as an unknown field, do not. */
  severity: 'error' | 'warning';
  /** JSON path of the field, such as `training.learningRate`, or '' for the whole file. */
  path: string;
  /** 1-based line of the first character the problem points at. */
  line: number;
  /** 1-based column of that character, counted in UTF-16 code units as editors count them. */
  column: number;
  /** 0-based offset and length in the text, for editor diagnostics. */
  offset: number;
  length: number;
  /** Localised text saying what is wrong and how to fix it, without the position. */
  message: string;
}

/** A finetune.json that cannot be loaded. The message lists every problem, and `problems` contains them as data. */
export class ProjectError extends UserInputError {
  constructor(
    readonly file: string,
    readonly problems: ProjectProblem[],
  ) {
    const errors = problems.filter((problem) => problem.severity === 'error');
    const first = errors[0] ?? problems[0];
    super(describeProblems(file, problems), { file, field: first?.path, row: first?.line });
  }
}

/** Appends the position: "… (finetune.json line 12, column 20)". */
export function formatProblem(problem: ProjectProblem, file: string): string {
  const located = t('{0} ({1} line {2}, column {3})', problem.message, path.basename(file), problem.line, problem.column);
  return problem.severity === 'warning' ? t('Warning: {0}', located) : located;
}

/** Lists errors first, then warnings, one a line, under a heading that counts the errors. */
export function describeProblems(file: string, problems: ProjectProblem[]): string {
  const errors = problems.filter((problem) => problem.severity === 'error');
  const warnings = problems.filter((problem) => problem.severity === 'warning');
  const heading =
    errors.length === 1 ? t('{0} has 1 problem to fix:', file) : t('{0} has {1} problems to fix:', file, errors.length);
  const lines = [...errors, ...warnings].map((problem) => `- ${formatProblem(problem, file)}`);
  return [heading, ...lines].join('\n');
}

/** Converts offsets in one text to 1-based lines and columns. Accepts \n, \r\n and \r line breaks. */
export class LineIndex {
  private readonly lineStarts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const char = text[i];
      if (char === '\r' && text[i + 1] === '\n') continue;
      if (char === '\n' || char === '\r') this.lineStarts.push(i + 1);
    }
  }

  position(offset: number): { line: number; column: number } {
    // Binary search for the last line that starts at or before `offset`.
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (this.lineStarts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - this.lineStarts[low] + 1 };
  }
}
