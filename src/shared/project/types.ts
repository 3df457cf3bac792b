// The shape of finetune.json after loading: every optional field filled with its default. The JSON schema
// in schemas/finetune.schema.json documents each field for users; keep the two in step.

import type { ProjectProblem } from './problems';

export type TaskKind = 'classification' | 'faq';
export type DataFormat = 'csv' | 'tsv' | 'jsonl';
export type BackendName = 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

export interface DataConfig {
  /** Path of the data file, relative to the folder holding finetune.json. */
  file: string;
  /** `auto` picks the format from the extension: .csv comma, .tsv tab, .jsonl JSON Lines; others are sniffed. */
  format: DataFormat | 'auto';
  /** `auto` detects UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030. */
  encoding: 'auto' | 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030';
  /** Column (CSV/TSV header name, or JSONL key) holding the review text. */
  textColumn: string;
  /** Column holding the label. Rows with an empty label are unlabelled and not trained on. */
  labelColumn: string;
}

export interface SplitConfig {
  train: number;
  validation: number;
  test: number;
  /** Seeds the hash that assigns each normalised text to a split. */
  seed: number;
}

export interface CleaningConfig {
  stripMentions: boolean;
  stripHashtags: boolean;
  stripUrls: boolean;
  /** Typo fixes applied to the text before training, such as 珍猪 → 珍珠. */
  replacements: Record<string, string>;
  /** Copies of one normalised text kept; later copies are dropped. 0 keeps every copy. */
  maxCopies: number;
  /** Texts shorter than this many characters after cleaning are dropped. */
  minLength: number;
}

export interface ModelConfig {
  /** `builtin:<preset>`, a Hugging Face hub id such as `bert-base-chinese`, or a local folder. */
  base: string;
  /** Maximum sequence length in tokens, [CLS] and [SEP] included. Longer texts are truncated. */
  maxLength: number;
}

export interface TrainingConfig {
  learningRate: number;
  batchSize: number;
  epochs: number;
  weightDecay: number;
  /** Fraction of all optimizer steps spent warming the learning rate up from 0. */
  warmupRatio: number;
  /** Gradients are scaled down when their global L2 norm exceeds this. */
  maxGradNorm: number;
  dropout: number;
  seed: number;
  /** Epochs without a better validation score before training stops early. 0 disables early stopping. */
  earlyStoppingPatience: number;
  /** Optimizer steps between two resumable checkpoints. */
  checkpointEverySteps: number;
}

export interface TargetsConfig {
  /** Test accuracy the run should reach, between 0 and 1. */
  accuracy: number;
}

export interface FinetuneProject {
  name: string;
  task: TaskKind;
  data: DataConfig;
  /** Label name → class id, for example { "差评": 0, "好评": 1, "中性": 2 }. Ids are 0..n-1. */
  labels: Record<string, number>;
  split: SplitConfig;
  cleaning: CleaningConfig;
  model: ModelConfig;
  training: TrainingConfig;
  backend: BackendName;
  targets: TargetsConfig;
  /** Folder for run folders, relative to finetune.json. */
  output: string;
}

/** A loaded project with the paths needed to find its files. */
export interface LoadedProject {
  /** Absolute path of finetune.json. */
  file: string;
  /** Absolute path of the folder holding finetune.json. */
  root: string;
  project: FinetuneProject;
  /**
   * Training fields the user left out, filled from the model preset's `trainingDefaults` where it has
   * the field and from the generic fine-tuning defaults otherwise.
   */
  defaultedTrainingFields: (keyof TrainingConfig)[];
  /** Problems that did not stop loading, such as unknown fields. loadProject and parseProject fill it. */
  warnings?: ProjectProblem[];
}
