// Files of a run folder (runs/<timestamp>-<name>/) that panels, decorations and the CLI read back.
//
//   finetune.json        the resolved project (defaults filled in)
//   split.csv            row,split for every example used
//   metrics.jsonl        one MetricsRecord per line
//   train.log            the human-readable log
//   checkpoint/          last resumable state: model.safetensors, optimizer.safetensors, state.json
//   best/                best model in Hugging Face layout (config.json, model.safetensors, vocab.txt, ...)
//   evaluation.json      Evaluation on the test split
//   predictions.csv      row,split,label,predicted,confidence for every test row

export interface StartRecord {
  type: 'start';
  time: string;
  runId: string;
  backend: string;
  device: string;
  examples: { train: number; validation: number; test: number };
  epochs: number;
  batchSize: number;
  totalSteps: number;
  /** Set when this start resumes an earlier interrupted start in the same run folder. */
  resumedFromStep?: number;
}

export interface StepRecord {
  type: 'step';
  time: string;
  step: number;
  /** Fractional epoch, 1-based at the end of the first epoch: 0.5 is half-way through epoch 1. */
  epoch: number;
  loss: number;
  learningRate: number;
  gradNorm: number;
  samplesPerSecond: number;
  tokensPerSecond: number;
}

export interface EpochRecord {
  type: 'epoch';
  time: string;
  epoch: number;
  step: number;
  trainLoss: number;
  trainAccuracy: number;
  validationLoss: number;
  validationAccuracy: number;
  validationMacroF1: number;
  /** True when this epoch's validation score is the best so far and was saved to best/. */
  best: boolean;
}

export interface NanRecord {
  type: 'nan';
  time: string;
  step: number;
  epoch: number;
}

export interface TestRecord {
  type: 'test';
  time: string;
  accuracy: number;
  macroF1: number;
}

export type RunStatus = 'completed' | 'early-stopped' | 'cancelled' | 'failed' | 'diverged';

export interface EndRecord {
  type: 'end';
  time: string;
  status: RunStatus;
  step: number;
  peakMemoryBytes: number;
  message?: string;
}

export type MetricsRecord = StartRecord | StepRecord | EpochRecord | NanRecord | TestRecord | EndRecord;

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Misclassified {
  /** 1-based line number in the data file. */
  row: number;
  text: string;
  label: string;
  predicted: string;
  /** Probability of each label name. */
  probabilities: Record<string, number>;
}

export interface Evaluation {
  split: 'test' | 'validation';
  examples: number;
  accuracy: number;
  macroF1: number;
  perClass: Record<string, ClassScores>;
  /** Rows are true labels, columns predicted labels, both in `labels` order. */
  confusionMatrix: { labels: string[]; matrix: number[][] };
  misclassified: Misclassified[];
  /** Accuracy of always predicting the largest class of this split. */
  majorityBaseline: { label: string; accuracy: number };
  /** True when accuracy does not beat the majority baseline. */
  noBetterThanMajority: boolean;
  target: { metric: 'accuracy'; value: number; met: boolean };
}
