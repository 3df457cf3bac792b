// Loading finetune.json: parse JSON with comments, validate every field, fill defaults (the model preset's
// first), and report every problem at once with its position.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { findNodeAtLocation, parseTree, ParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { UserInputError } from '../errors';
import { t } from '../l10n';
import { LineIndex, ProjectError, type ProjectProblem } from './problems';
import { findPreset, pretrainedTrainingDefaults } from './presets';
import {
  defaultBackend,
  defaultCleaning,
  defaultData,
  defaultModel,
  defaultOutput,
  defaultSplit,
  defaultTargets,
  defaultTask,
  projectRule,
} from './rules';
import type { DataConfig, FinetuneProject, LoadedProject, TrainingConfig } from './types';
import { validateProjectTree } from './validate';

export interface ProjectParseResult {
  /** The resolved project, or undefined when any problem is an error. */
  loaded?: LoadedProject;
  /** Errors and warnings in the order they appear in the text. */
  problems: ProjectProblem[];
}

export interface LoadOptions {
  /** Reports a missing data file as a problem of `data.file`. Defaults to true. */
  checkDataFile?: boolean;
}

/**
 * Reads, validates and resolves a finetune.json. Throws a ProjectError, which is a UserInputError,
 * listing every error and warning when the file has any error.
 */
export function loadProject(file: string, options: LoadOptions = {}): LoadedProject {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = decodeUtf8(fs.readFileSync(absolute), absolute);
  } catch (error) {
    if (error instanceof UserInputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new UserInputError(t('{0} was not found. Check the path of the project file.', absolute), { file: absolute });
    }
    throw new UserInputError(t('Reading {0} failed ({1}). Check that the file is readable.', absolute, String(code ?? error)), { file: absolute });
  }

  // Editors hide a byte order mark, so positions are counted without it.
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const analysis = analyseProject(text, absolute);
  const problems = analysis.problems;
  if ((options.checkDataFile ?? true) && analysis.tree !== undefined) {
    const missing = checkDataFile(analysis.tree, analysis.lines, path.dirname(absolute));
    if (missing !== undefined) insertInOrder(problems, missing);
  }

  if (problems.some((problem) => problem.severity === 'error') || analysis.loaded === undefined) {
    throw new ProjectError(absolute, problems);
  }
  return analysis.loaded;
}

/** Validates and resolves finetune.json text without touching the file system, for editors. */
export function parseProject(text: string, file: string): ProjectParseResult {
  // A byte order mark becomes a space so that offsets still match `text`.
  const source = text.startsWith('\uFEFF') ? ` ${text.slice(1)}` : text;
  const { loaded, problems } = analyseProject(source, path.resolve(file));
  return { loaded, problems };
}

/** Decodes finetune.json, which must be UTF-8: editors such as Notepad may save it as GBK instead. */
function decodeUtf8(bytes: Buffer, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UserInputError(t('{0} is not saved as UTF-8 (perhaps GBK). Open it in VS Code and save it with the encoding UTF-8.', file), { file });
  }
}

/** Resolves a path written in finetune.json (`data.file`, `output`) against the folder holding it. */
export function resolveProjectPath(loaded: LoadedProject, relative: string): string {
  return path.resolve(loaded.root, relative);
}

interface Analysis extends ProjectParseResult {
  tree?: Node;
  lines: LineIndex;
}

function analyseProject(text: string, absolute: string): Analysis {
  const lines = new LineIndex(text);
  const syntaxErrors: ParseError[] = [];
  const tree = parseTree(text, syntaxErrors, { allowTrailingComma: true, disallowComments: false });
  const problems = syntaxErrors.map((syntaxError) => syntaxProblem(syntaxError, lines));
  if (tree === undefined && text.trim() === '') {
    const message = t('finetune.json is empty. Write a project such as {0}.', projectRule.example);
    return { problems: [{ severity: 'error', path: '', line: 1, column: 1, offset: 0, length: 0, message }], lines };
  }
  if (tree === undefined) return { problems, lines };

  const validation = validateProjectTree(tree, lines);
  problems.push(...validation.problems);
  // Array.prototype.sort is stable, so problems at one offset keep the order they were found in.
  problems.sort((a, b) => a.offset - b.offset);
  if (problems.some((problem) => problem.severity === 'error')) return { problems, tree, lines };

  const root = path.dirname(absolute);
  const { project, defaultedTrainingFields } = resolveProject(validation.values as WrittenProject, path.basename(root));
  const loaded: LoadedProject = { file: absolute, root, project, defaultedTrainingFields, warnings: problems };
  return { loaded, problems, tree, lines };
}

/** The valid fields the user wrote, so every section is partial. */
type WrittenProject = {
  [Key in keyof FinetuneProject]?: FinetuneProject[Key] extends object ? Partial<FinetuneProject[Key]> : FinetuneProject[Key];
};

const trainingFields = Object.keys(pretrainedTrainingDefaults) as (keyof TrainingConfig)[];

/**
 * Fills every field the user left out. A model preset's training defaults and maxLength come before the
 * generic defaults, because a model trained from random weights needs other settings than a pretrained one.
 */
function resolveProject(written: WrittenProject, folderName: string): Pick<LoadedProject, 'project' | 'defaultedTrainingFields'> {
  const model = { ...defaultModel, ...written.model };
  const preset = findPreset(model.base);
  if (preset !== undefined && written.model?.maxLength === undefined) model.maxLength = preset.maxLength;

  const training: TrainingConfig = { ...pretrainedTrainingDefaults, ...preset?.trainingDefaults, ...written.training };
  const defaultedTrainingFields = trainingFields.filter((field) => written.training?.[field] === undefined);

  const project: FinetuneProject = {
    // The validator has checked that data.file, data.textColumn and data.labelColumn are present.
    name: written.name ?? folderName,
    task: written.task ?? defaultTask,
    data: { ...defaultData, ...written.data } as DataConfig,
    labels: { ...(written.labels as Record<string, number> | undefined) },
    split: { ...defaultSplit, ...written.split },
    cleaning: { ...defaultCleaning, ...written.cleaning, replacements: { ...written.cleaning?.replacements } },
    model,
    training,
    backend: written.backend ?? defaultBackend,
    targets: { ...defaultTargets, ...written.targets },
    output: written.output ?? defaultOutput,
  };
  return { project, defaultedTrainingFields };
}

function checkDataFile(tree: Node, lines: LineIndex, root: string): ProjectProblem | undefined {
  const node = findNodeAtLocation(tree, ['data', 'file']);
  if (node?.type !== 'string' || typeof node.value !== 'string' || node.value === '') return undefined;

  const dataFile = path.resolve(root, node.value);
  if (fs.existsSync(dataFile) && fs.statSync(dataFile).isFile()) return undefined;
  const { line, column } = lines.position(node.offset);
  const message = t(
    'data.file names {0}, which was not found in {1}. Check the file name, or move the data file next to finetune.json.',
    node.value, path.dirname(dataFile),
  );
  return { severity: 'error', path: 'data.file', line, column, offset: node.offset, length: node.length, message };
}

function insertInOrder(problems: ProjectProblem[], problem: ProjectProblem): void {
  const index = problems.findIndex((other) => other.offset > problem.offset);
  problems.splice(index === -1 ? problems.length : index, 0, problem);
}

function syntaxProblem(syntaxError: ParseError, lines: LineIndex): ProjectProblem {
  const { line, column } = lines.position(syntaxError.offset);
  const message = t('Invalid JSON: {0}. Fix the text at this position.', describeSyntaxError(syntaxError.error));
  return { severity: 'error', path: '', line, column, offset: syntaxError.offset, length: syntaxError.length, message };
}

function describeSyntaxError(code: ParseErrorCode): string {
  switch (code) {
    case ParseErrorCode.InvalidSymbol:
      return t('unexpected character');
    case ParseErrorCode.InvalidNumberFormat:
      return t('invalid number');
    case ParseErrorCode.PropertyNameExpected:
      return t('a field name in double quotes is expected');
    case ParseErrorCode.ValueExpected:
      return t('a value is expected');
    case ParseErrorCode.ColonExpected:
      return t('a colon is expected after the field name');
    case ParseErrorCode.CommaExpected:
      return t('a comma is expected between two fields or values');
    case ParseErrorCode.CloseBraceExpected:
      return t('a closing brace } is expected');
    case ParseErrorCode.CloseBracketExpected:
      return t('a closing bracket ] is expected');
    case ParseErrorCode.EndOfFileExpected:
      return t('nothing may follow the closing brace of the project');
    case ParseErrorCode.InvalidCommentToken:
    case ParseErrorCode.UnexpectedEndOfComment:
      return t('a comment is not closed with */');
    case ParseErrorCode.UnexpectedEndOfString:
      return t('a text value is not closed with a double quote');
    case ParseErrorCode.UnexpectedEndOfNumber:
      return t('a number is cut off');
    case ParseErrorCode.InvalidUnicode:
      return t('invalid \\u escape in a text value');
    case ParseErrorCode.InvalidEscapeCharacter:
      return t('invalid backslash escape in a text value');
    case ParseErrorCode.InvalidCharacter:
      return t('a line break or control character inside a text value');
    default:
      return t('unexpected text');
  }
}
