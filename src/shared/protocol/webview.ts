// Messages between the extension host and the webview panels (postMessage). Each panel posts `ready` once
// its script has loaded; the extension sends nothing before that and then replies with `init`. Every string
// a page shows comes from the extension, already localised, so the webview bundles hold no UI text.

import type { RunStatus } from '../run/types';

// ---------------------------------------------------------------------------------------------------
// Advice (shown by the dashboard, computed in the extension by src/shared/advice)

/** Action of an advice button. `field` is a dotted JSON path inside finetune.json. */
export type AdviceAction =
  | { kind: 'openSetting'; field: string }
  | { kind: 'stopTraining' }
  | { kind: 'openErrorAnalysis' };

export interface AdviceButton {
  label: string;
  action: AdviceAction;
}

export interface AdviceView {
  id: string;
  severity: 'error' | 'warning' | 'info' | 'success';
  title: string;
  message: string;
  buttons: AdviceButton[];
}

// ---------------------------------------------------------------------------------------------------
// Training dashboard

/** One point of the per-step loss curve. */
export interface StepPoint {
  step: number;
  epoch: number;
  loss: number;
  learningRate: number;
}

/** One point of the per-epoch curves. */
export interface EpochPoint {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  validationLoss: number;
  validationAccuracy: number;
  best: boolean;
}

/** Everything the dashboard draws for one run. */
export interface DashboardRun {
  runDir: string;
  /** The run folder's name, such as `20261204-101500-milk-tea`. */
  name: string;
  status: 'running' | RunStatus;
  backend?: string;
  device?: string;
  step: number;
  totalSteps?: number;
  /** Mean throughput over the last logged steps. */
  samplesPerSecond?: number;
  /** Estimated seconds until the last step, from the recent step rate. Absent once the run ended. */
  secondsLeft?: number;
  steps: StepPoint[];
  epochs: EpochPoint[];
  test?: { accuracy: number; macroF1: number };
  /** The project's test accuracy target, between 0 and 1. */
  targetAccuracy?: number;
  endMessage?: string;
}

export interface DashboardStrings {
  title: string;
  stop: string;
  addRun: string;
  removeRun: string;
  openErrorAnalysis: string;
  backend: string;
  device: string;
  step: string;
  epoch: string;
  samplesPerSecond: string;
  timeLeft: string;
  learningRate: string;
  loss: string;
  accuracy: string;
  trainLoss: string;
  validationLoss: string;
  trainAccuracy: string;
  validationAccuracy: string;
  stepLossChart: string;
  epochLossChart: string;
  epochAccuracyChart: string;
  learningRateChart: string;
  advice: string;
  noAdvice: string;
  noData: string;
  testAccuracy: string;
  /** Legend of the accuracy target line. */
  target: string;
  statusLabel: string;
  /** Localised name of each run status. */
  status: Record<'running' | RunStatus, string>;
}

export interface DashboardInitMessage {
  type: 'init';
  strings: DashboardStrings;
  runs: DashboardRun[];
  /** Advice for the first run (the one the dashboard was opened for). */
  advice: AdviceView[];
}

export interface DashboardUpdateMessage {
  type: 'update';
  runs: DashboardRun[];
  advice: AdviceView[];
}

export type ExtensionToDashboard = DashboardInitMessage | DashboardUpdateMessage;

export type DashboardToExtension =
  | { type: 'ready' }
  | { type: 'adviceAction'; action: AdviceAction }
  | { type: 'stopTraining' }
  /** Asks the extension to pick another run to overlay. */
  | { type: 'addRun' }
  | { type: 'removeRun'; runDir: string }
  | { type: 'openErrorAnalysis'; runDir: string };

/** State of a dashboard webview, kept through `setState` so the panel can be restored after a reload. */
export interface DashboardState {
  runDirs: string[];
}

// ---------------------------------------------------------------------------------------------------
// Error analysis

export interface ClassScoresView {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ConfusionCellView {
  trueLabel: string;
  predictedLabel: string;
  count: number;
  /** count / (examples whose true label is `trueLabel`); 0 for an empty row. */
  rowFraction: number;
}

export interface MisclassifiedView {
  row: number;
  text: string;
  label: string;
  predicted: string;
  /** Probability of the predicted label. */
  confidence: number;
  /** Every label with its probability, highest first. */
  probabilities: { label: string; probability: number }[];
}

export interface ErrorAnalysisReport {
  runDir: string;
  runName: string;
  split: 'test' | 'validation';
  examples: number;
  accuracy: number;
  macroF1: number;
  perClass: ClassScoresView[];
  labels: string[];
  /** Rows are true labels, columns predicted labels, both in `labels` order. */
  confusion: ConfusionCellView[][];
  /** Sorted by confidence, most confident mistakes first. */
  misclassified: MisclassifiedView[];
  target: { value: number; met: boolean };
  majorityBaseline: { label: string; accuracy: number };
  noBetterThanMajority: boolean;
  /** Label names the "Set label to …" buttons offer, from the project's label map. */
  labelChoices: string[];
  /** False when the data file is not found, so the row buttons are disabled. */
  dataFileAvailable: boolean;
}

export interface ErrorAnalysisStrings {
  title: string;
  summary: string;
  accuracy: string;
  macroF1: string;
  examples: string;
  targetMet: string;
  targetMissed: string;
  majorityNote: string;
  perClass: string;
  label: string;
  precision: string;
  recall: string;
  f1: string;
  support: string;
  confusionMatrix: string;
  confusionHint: string;
  trueLabel: string;
  predictedLabel: string;
  misclassified: string;
  showAll: string;
  filteredBy: string;
  noMistakes: string;
  row: string;
  text: string;
  probabilities: string;
  goToRow: string;
  /** Contains `{0}` for the label name. */
  setLabelTo: string;
  labelSet: string;
  dataFileMissing: string;
}

export interface ErrorAnalysisInitMessage {
  type: 'init';
  strings: ErrorAnalysisStrings;
  report: ErrorAnalysisReport;
}

/** The extension changed a row's label in the data file. */
export interface LabelChangedMessage {
  type: 'labelChanged';
  row: number;
  label: string;
}

export type ExtensionToErrorAnalysis = ErrorAnalysisInitMessage | LabelChangedMessage;

export type ErrorAnalysisToExtension =
  | { type: 'ready' }
  | { type: 'goToRow'; row: number }
  | { type: 'setLabel'; row: number; label: string };

export interface ErrorAnalysisState {
  runDir: string;
}
