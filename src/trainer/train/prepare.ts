// Everything a run needs before its first step: the project (from finetune.json, or from the run folder
// when resuming), the backend, the cleaned and split data, the tokenizer, the model and the optimizer.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanExamples } from '../../shared/data/cleaning';
import { readDataset } from '../../shared/data/read';
import { assignSplits, partitionBySplit } from '../../shared/data/split';
import { writeSplitFile } from '../../shared/data/splitFile';
import { UserInputError } from '../../shared/errors';
import { readJson, writeJsonAtomic } from '../../shared/files';
import { packageRoot, t } from '../../shared/l10n';
import { loadProject, parseProject, resolveProjectPath } from '../../shared/project/load';
import { formatProblem, ProjectError } from '../../shared/project/problems';
import { findPreset } from '../../shared/project/presets';
import type { BackendName, FinetuneProject, LoadedProject } from '../../shared/project/types';
import type { LabelledExample } from '../../shared/data/types';
import { selectBackend, type SelectedBackend } from '../backend/select';
import { makeBertConfig } from '../models/bert/config';
import { BertForSequenceClassification } from '../models/bert/model';
import { loadBertForSequenceClassification, type LabelMaps } from '../models/bert/pretrained';
import { resolveModelFolder } from './modelSource';
import { readPytorchCheckpoint } from '../weights/pytorch';
import { loadTokenizer, type TextTokenizer } from '../tokenizer';
import { AdamW } from './adamw';
import type { EncodedExample } from './batches';
import { checkUnchangedExamples, epochsToTrain, fingerprintExamples, restoreCheckpoint, type TrainingState } from './checkpoint';
import { assessTrainingMemory } from './memory';
import type { TrainingReporter } from './reporter';
import { createRunFolder, readMetrics, runFiles } from './runFolder';
import type { TrainOptions } from './trainProject';

/** The origin of a run, saved as run.json so a resumed run finds the project's data again. */
export interface RunInfo {
  projectFile: string;
  projectRoot: string;
  /** projectRoot relative to the run folder, to find the project again after the folder was moved. */
  projectRootFromRun?: string;
  createdAt: string;
  modelFolder: string;
  /** fingerprintExamples of the splits, so a resume detects an edited data file. */
  examplesSha256?: string;
}

export interface PreparedRun {
  runDir: string;
  loaded: LoadedProject;
  project: FinetuneProject;
  backend: SelectedBackend;
  tokenizer: TextTokenizer;
  /** Folder holding the base model's tokenizer files (and weights, for a pretrained model). */
  modelFolder: string;
  model: BertForSequenceClassification;
  optimizer: AdamW;
  numLabels: number;
  labelNames: string[];
  labelMaps: LabelMaps;
  splits: { train: EncodedExample[]; validation: EncodedExample[]; test: EncodedExample[] };
  /** Original texts by row, for the error analysis. */
  textsByRow: Map<number, string>;
  resumeState?: TrainingState;
}

export async function prepareRun(options: TrainOptions, reporter: TrainingReporter): Promise<PreparedRun> {
  // The project: a new run reads finetune.json, and a resumed run reads the resolved copy in its run
  // folder, so edits made to finetune.json since cannot change a run half-way.
  const resumeDir = options.resume ? path.resolve(options.resume) : undefined;
  if (resumeDir) {
    acquireRunLock(resumeDir);
    rejectFinishedRun(resumeDir, options.epochs);
  }
  const loaded = resumeDir ? loadRunProject(resumeDir) : loadProject(options.projectFile);
  for (const warning of loaded.warnings ?? []) reporter.log('warn', formatProblem(warning, loaded.file));
  const project: FinetuneProject = structuredClone(loaded.project);
  if (options.epochs !== undefined) project.training.epochs = options.epochs;
  if (project.task !== 'classification') {
    throw new UserInputError(t('The task "{0}" cannot be trained yet; set "task" to "classification" in finetune.json.', project.task), { file: loaded.file, field: 'task' });
  }

  const backend = await selectBackend((options.backend ?? project.backend) as BackendName);
  reporter.log('info', t('Backend: {0} on {1}.', backend.name, backend.device));
  for (const reason of backend.reasons) reporter.log('info', reason);

  // Data: read, clean in memory, split.
  const { dataFile, kept } = readCleanExamples(loaded, project, reporter);
  const { splits } = assignSplits(kept, project.split);

  // Tokenizer and model folder.
  const preset = findPreset(project.model.base);
  const modelFolder = preset ? path.join(packageRoot(), 'resources', 'chinese-bert') : await resolveModelFolder(project.model.base, loaded.root, reporter);
  if (preset && !preset.pretrained) {
    reporter.log('warn', t('The model "{0}" is not pretrained: it starts from random weights, so it needs more data and epochs than a pretrained model to reach a good accuracy.', preset.id));
  }
  const tokenizer = await loadTokenizer(modelFolder);

  const { labelNames, labelMaps } = labelMapsOf(project.labels);
  const numLabels = labelNames.length;

  // Tokenize once; truncation is the same here and in prediction (TextTokenizer.encode).
  let truncated = 0;
  const encoded: EncodedExample[] = kept.map((example) => {
    const encoding = tokenizer.encode(example.text, project.model.maxLength);
    if (encoding.truncated) truncated++;
    return { row: example.row, inputIds: encoding.inputIds, label: example.label };
  });
  if (truncated > 0) {
    reporter.log('info', t('{0} of {1} texts are longer than model.maxLength ({2} tokens) and were truncated.', truncated, encoded.length, project.model.maxLength));
  }
  const parts = partitionBySplit(encoded, splits);
  reporter.log('info', t('Split: {0} training, {1} validation, {2} test examples.', parts.train.length, parts.validation.length, parts.test.length));
  if (parts.test.length > 0 && parts.test.length < MIN_TRUSTED_TEST_EXAMPLES) {
    reporter.log('warn', t('The test split has only {0} examples, so each review moves the test accuracy by {1} points. Label more rows for a score you can trust.', parts.test.length, (100 / parts.test.length).toFixed(1)));
  }
  if (parts.train.length === 0) {
    throw new UserInputError(t('No examples landed in the training split. Add more labelled rows to {0}.', dataFile), { file: dataFile });
  }

  // Model: the base model's weights, or a seeded random initialisation for a builtin preset.
  let model: BertForSequenceClassification;
  if (preset) {
    if (!preset.architecture) throw new Error(`preset ${preset.id} has no architecture`);
    const config = makeBertConfig({
      ...preset.architecture,
      vocab_size: tokenizer.vocabSize,
      hidden_dropout_prob: project.training.dropout,
      attention_probs_dropout_prob: project.training.dropout,
      id2label: labelMaps.id2label,
      label2id: labelMaps.label2id,
    });
    model = new BertForSequenceClassification(config, numLabels, { seed: project.training.seed });
  } else {
    const { model: loadedModel, report } = await loadBertForSequenceClassification(modelFolder, numLabels, labelMaps, {
      seed: project.training.seed,
      readPytorchCheckpoint: async (file) => readPytorchCheckpoint(file),
    });
    model = loadedModel;
    if (report.initialised.length > 0) reporter.log('info', t('New weights (trained from scratch): {0}.', report.initialised.join(', ')));
    if (report.ignored.length > 0) reporter.log('info', t('Weights in the checkpoint not used by the classifier: {0}.', report.ignored.length));
  }
  // Memory: reject a run that clearly cannot fit before its first step runs out of memory.
  const seqLength = encoded.reduce((longest, example) => Math.max(longest, example.inputIds.length), 1);
  try {
    const memory = assessTrainingMemory(model, { batchSize: project.training.batchSize, seqLength, maxLength: project.model.maxLength, backend: backend.name, projectFile: loaded.file });
    reporter.log(memory.level, memory.message);
  } catch (error) {
    model.dispose();
    throw error;
  }
  const optimizer = new AdamW(model.weights, { weightDecay: project.training.weightDecay });

  // Run folder: a new one per run, never shared, created once every check has passed.
  const runDir = resumeDir ?? createRunFolder(resolveProjectPath(loaded, project.output), project.name);
  if (!resumeDir) acquireRunLock(runDir);
  if (resumeDir) checkUnchangedExamples(readJson<RunInfo>(path.join(resumeDir, 'run.json')).examplesSha256, parts, dataFile, resumeDir);
  if (!resumeDir) {
    writeJsonAtomic(path.join(runDir, runFiles.project), project);
    const info: RunInfo = { projectFile: loaded.file, projectRoot: loaded.root, projectRootFromRun: path.relative(runDir, loaded.root), createdAt: new Date().toISOString(), modelFolder, examplesSha256: fingerprintExamples(parts) };
    writeJsonAtomic(path.join(runDir, 'run.json'), info);
    writeSplitFile(path.join(runDir, runFiles.split), kept.map((example, index) => ({ row: example.row, split: splits[index] })));
  }


  let resumeState: TrainingState | undefined;
  if (resumeDir) {
    resumeState = restoreCheckpoint(resumeDir, model, optimizer);
    // Without --epochs the run ends as planned; with it, the schedule is rebuilt for the new total.
    project.training.epochs = epochsToTrain(resumeState, options.epochs);
    resumeState.epochs = project.training.epochs;
    reporter.log('info', t('Resuming at step {0} (epoch {1}).', resumeState.step, resumeState.epoch + 1));
  }

  const textsByRow = new Map<number, string>(kept.map((example) => [example.row, example.originalText]));
  return {
    runDir,
    loaded,
    project,
    backend,
    tokenizer,
    modelFolder,
    model,
    optimizer,
    numLabels,
    labelNames,
    labelMaps,
    splits: parts,
    textsByRow,
    resumeState,
  };
}

/** Reads the project's data file and applies the cleaning rules in memory. */
export function readCleanExamples(loaded: LoadedProject, project: FinetuneProject, reporter: TrainingReporter): { dataFile: string; kept: LabelledExample[] } {
  const dataFile = resolveProjectPath(loaded, project.data.file);
  const dataset = readDataset(dataFile, project.data);
  reporter.log('info', t('Read {0}: {1} labelled rows, {2} unlabelled, encoding {3}{4}.', path.basename(dataFile), dataset.examples.length, dataset.unlabelled.length, dataset.encoding, dataset.bom ? ' (BOM)' : ''));
  const cleaned = cleanExamples(dataset.examples, project.labels, project.cleaning);
  reportDropped(cleaned.dropped, reporter);
  if (cleaned.kept.length === 0) {
    throw new UserInputError(t('{0} has no usable labelled rows after cleaning. Check data.labelColumn and the labels in finetune.json.', dataFile), { file: dataFile, field: 'data.labelColumn' });
  }
  return { dataFile, kept: cleaned.kept };
}

/** Label names in class-id order and the config.json maps built from them. */
export function labelMapsOf(labels: Record<string, number>): { labelNames: string[]; labelMaps: LabelMaps } {
  const labelNames = Object.entries(labels).sort((a, b) => a[1] - b[1]).map(([name]) => name);
  return {
    labelNames,
    labelMaps: {
      id2label: Object.fromEntries(labelNames.map((name, id) => [String(id), name])),
      label2id: Object.fromEntries(labelNames.map((name, id) => [name, id])),
    },
  };
}

/** Loads the resolved project saved in a run folder, with paths relative to the original project. */
export function loadRunProject(runDir: string): LoadedProject {
  const projectFile = path.join(runDir, runFiles.project);
  const infoFile = path.join(runDir, 'run.json');
  if (!fs.existsSync(projectFile) || !fs.existsSync(infoFile)) {
    throw new UserInputError(t('{0} is not a run folder: finetune.json or run.json is missing. Pass a folder under runs/.', runDir), { file: runDir });
  }
  const info = readJson<RunInfo>(infoFile);
  const { loaded, problems } = parseProject(fs.readFileSync(projectFile, 'utf8'), projectFile);
  if (!loaded) throw new ProjectError(projectFile, problems);
  // A project folder that was moved or copied still contains its runs at the same relative place.
  const root = fs.existsSync(info.projectRoot) ? info.projectRoot : path.resolve(runDir, info.projectRootFromRun ?? path.join('..', '..'));
  return { ...loaded, file: path.join(root, path.basename(info.projectFile)), root };
}

/**
 * Below this many test examples one review moves the accuracy by more than 3 points, so the log warns
 * that the score is rough.
 */
const MIN_TRUSTED_TEST_EXAMPLES = 30;

/** The lock file of a run folder while a process trains it: the process id, as text. */
export const RUN_LOCK_FILE = '.lock';

/**
 * Marks the run folder as trained by this process, rejecting a second trainer on the same run. A lock
 * left by a process that no longer exists (killed, crashed) is taken over.
 */
export function acquireRunLock(runDir: string): void {
  const lockFile = path.join(runDir, RUN_LOCK_FILE);
  try {
    fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const owner = Number(fs.readFileSync(lockFile, 'utf8'));
  if (Number.isInteger(owner) && owner !== process.pid && isProcessAlive(owner)) {
    throw new UserInputError(t('The run {0} is being trained by process {1}. Wait for it to finish, or stop it first.', runDir, owner), { file: runDir });
  }
  fs.writeFileSync(lockFile, String(process.pid));
}

export function releaseRunLock(runDir: string): void {
  const lockFile = path.join(runDir, RUN_LOCK_FILE);
  if (fs.existsSync(lockFile) && fs.readFileSync(lockFile, 'utf8') === String(process.pid)) fs.rmSync(lockFile, { force: true });
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Rejects resuming a run whose last start ended normally, unless --epochs requests more epochs. */
function rejectFinishedRun(runDir: string, requestedEpochs: number | undefined): void {
  if (requestedEpochs !== undefined) return;
  const records = readMetrics(runDir);
  const lastStart = records.map((record) => record.type).lastIndexOf('start');
  const end = records.slice(lastStart + 1).find((record) => record.type === 'end');
  if (end?.type === 'end' && (end.status === 'completed' || end.status === 'early-stopped')) {
    throw new UserInputError(t('The run {0} has already finished. To train it longer, pass --epochs with more epochs than it has run; to train again, start a new run.', runDir), { file: runDir });
  }
}

/** Rows named one by one in the log for a problem, before the rest are only counted. */
const ROWS_NAMED_PER_PROBLEM = 5;

function reportDropped(dropped: readonly { reason: string; row: number; rawLabel?: string }[], reporter: TrainingReporter): void {
  const unknown = dropped.filter((row) => row.reason === 'unknown-label');
  for (const row of unknown.slice(0, ROWS_NAMED_PER_PROBLEM)) {
    reporter.log('warn', t('Row {0}: the label "{1}" is not in "labels" of finetune.json; the row is skipped. Fix the label, or add it to "labels".', row.row, row.rawLabel ?? ''));
  }
  const counts = new Map<string, number>();
  for (const row of dropped) counts.set(row.reason, (counts.get(row.reason) ?? 0) + 1);
  const messages: Record<string, (count: number) => string> = {
    unlabelled: (count) => t('Skipped {0} rows without a label.', count),
    'unknown-label': (count) => t('Skipped {0} rows with a label that is not in finetune.json.', count),
    'empty-text': (count) => t('Skipped {0} rows with empty text.', count),
    'too-short': (count) => t('Skipped {0} rows shorter than cleaning.minLength.', count),
    duplicate: (count) => t('Skipped {0} rows beyond cleaning.maxCopies copies of the same text.', count),
  };
  for (const [reason, count] of counts) {
    reporter.log('info', messages[reason]?.(count) ?? `${reason}: ${count}`);
  }
}
