// The rules each finetune.json field follows: its type, bounds, default and an example value. The validator
// walks these rules, and a unit test checks that schemas/finetune.schema.json states the same ones.

import { builtinTinyChineseBert, pretrainedTrainingDefaults } from './presets';
import type { BackendName, CleaningConfig, DataConfig, ModelConfig, SplitConfig, TargetsConfig, TaskKind } from './types';

export interface NumberRule {
  type: 'number' | 'integer';
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  exclusiveMaximum?: number;
  default?: number;
  /** A valid value that messages quote as an example. */
  example: number;
}

export interface StringRule {
  type: 'string';
  enum?: readonly string[];
  minLength?: number;
  maxLength?: number;
  /** ECMAScript regular expression, as JSON Schema's `pattern`. */
  pattern?: string;
  default?: string;
  example: string;
}

export interface BooleanRule {
  type: 'boolean';
  default: boolean;
}

/** An object with a fixed set of fields. */
export interface SectionRule {
  type: 'object';
  properties: Record<string, FieldRule>;
  required: readonly string[];
  /** A valid value written as JSON, quoted in messages. */
  example: string;
}

/** An object whose keys the user chooses, such as label names or typo fixes. */
export interface MapRule {
  type: 'map';
  values: NumberRule | StringRule;
  /** JSON Schema's `propertyNames`: the rules every key follows. */
  keys: { minLength: number; pattern?: string };
  minProperties?: number;
  default?: Record<string, never>;
  example: string;
}

export type FieldRule = NumberRule | StringRule | BooleanRule | SectionRule | MapRule;

/** Defaults of the optional fields. Training defaults live in presets.ts. */
export const defaultData: Pick<DataConfig, 'format' | 'encoding'> = { format: 'auto', encoding: 'auto' };

export const defaultSplit: SplitConfig = { train: 0.8, validation: 0.1, test: 0.1, seed: 42 };

export const defaultCleaning: CleaningConfig = {
  stripMentions: true,
  stripHashtags: true,
  stripUrls: true,
  replacements: {},
  maxCopies: 3,
  minLength: 1,
};

export const defaultModel: ModelConfig = { base: builtinTinyChineseBert.id, maxLength: 128 };

export const defaultTargets: TargetsConfig = { accuracy: 0.9 };

export const defaultTask: TaskKind = 'classification';
export const defaultBackend: BackendName = 'auto';
export const defaultOutput = 'runs';

/** Keys allowed at the top level that are not project fields, such as an editor's `$schema` link. */
export const ignoredRootKeys: readonly string[] = ['$schema'];

/**
 * The project name becomes part of each run folder's name. So it excludes the characters that Windows
 * rejects in file names, and it may not start with a dot, which hides a folder on Linux and macOS.
 */
export const projectNamePattern = String.raw`^[^\\/:*?"<>|.\u0000-\u001f][^\\/:*?"<>|\u0000-\u001f]*$`;

/** Label cells are compared after trimming, so a label name must not start or end with white space. */
export const labelNamePattern = String.raw`^\S(.*\S)?$`;

/** Seeds are unsigned 32-bit integers (at most 2^32 - 1), so that any 32-bit seeded generator takes them. */
const maxSeed = 4294967295;

const splitRatio = (value: number): NumberRule => ({ type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: value, example: value });

const training = pretrainedTrainingDefaults;

export const projectRule: SectionRule = {
  type: 'object',
  example: '{ "data": { "file": "reviews.csv", "textColumn": "review", "labelColumn": "label" }, "labels": { "差评": 0, "好评": 1 } }',
  // `labels` is also required when `task` is "classification", which validate.ts checks.
  required: ['data'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 64, pattern: projectNamePattern, example: 'milk-tea-reviews' },
    task: { type: 'string', enum: ['classification', 'faq'], default: defaultTask, example: 'classification' },
    data: {
      type: 'object',
      example: '{ "file": "reviews.csv", "textColumn": "review", "labelColumn": "label" }',
      required: ['file', 'textColumn', 'labelColumn'],
      properties: {
        file: { type: 'string', minLength: 1, example: 'reviews.csv' },
        format: { type: 'string', enum: ['auto', 'csv', 'tsv', 'jsonl'], default: defaultData.format, example: 'auto' },
        encoding: { type: 'string', enum: ['auto', 'utf-8', 'utf-16le', 'utf-16be', 'gb18030'], default: defaultData.encoding, example: 'auto' },
        textColumn: { type: 'string', minLength: 1, example: 'review' },
        labelColumn: { type: 'string', minLength: 1, example: 'label' },
      },
    },
    labels: {
      type: 'map',
      values: { type: 'integer', minimum: 0, example: 0 },
      keys: { minLength: 1, pattern: labelNamePattern },
      minProperties: 2,
      example: '{ "差评": 0, "好评": 1, "中性": 2 }',
    },
    split: {
      type: 'object',
      example: '{ "train": 0.8, "validation": 0.1, "test": 0.1 }',
      required: [],
      properties: {
        train: splitRatio(defaultSplit.train),
        validation: splitRatio(defaultSplit.validation),
        test: splitRatio(defaultSplit.test),
        seed: { type: 'integer', minimum: 0, maximum: maxSeed, default: defaultSplit.seed, example: defaultSplit.seed },
      },
    },
    cleaning: {
      type: 'object',
      example: '{ "replacements": { "珍猪": "珍珠" } }',
      required: [],
      properties: {
        stripMentions: { type: 'boolean', default: defaultCleaning.stripMentions },
        stripHashtags: { type: 'boolean', default: defaultCleaning.stripHashtags },
        stripUrls: { type: 'boolean', default: defaultCleaning.stripUrls },
        replacements: {
          type: 'map',
          values: { type: 'string', example: '珍珠' },
          keys: { minLength: 1 },
          default: {},
          example: '{ "珍猪": "珍珠" }',
        },
        maxCopies: { type: 'integer', minimum: 0, default: defaultCleaning.maxCopies, example: defaultCleaning.maxCopies },
        minLength: { type: 'integer', minimum: 0, default: defaultCleaning.minLength, example: defaultCleaning.minLength },
      },
    },
    model: {
      type: 'object',
      example: '{ "base": "builtin:tiny-chinese-bert" }',
      required: [],
      properties: {
        base: { type: 'string', minLength: 1, default: defaultModel.base, example: defaultModel.base },
        // Standard BERT checkpoints, bert-base-chinese among them, have 512 position embeddings, so longer inputs cannot be encoded.
        maxLength: { type: 'integer', minimum: 8, maximum: 512, default: defaultModel.maxLength, example: defaultModel.maxLength },
      },
    },
    training: {
      type: 'object',
      example: '{ "epochs": 3 }',
      required: [],
      properties: {
        learningRate: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: training.learningRate, example: training.learningRate },
        batchSize: { type: 'integer', minimum: 1, maximum: 1024, default: training.batchSize, example: training.batchSize },
        epochs: { type: 'integer', minimum: 1, maximum: 1000, default: training.epochs, example: training.epochs },
        weightDecay: { type: 'number', minimum: 0, maximum: 1, default: training.weightDecay, example: training.weightDecay },
        warmupRatio: { type: 'number', minimum: 0, maximum: 1, default: training.warmupRatio, example: training.warmupRatio },
        maxGradNorm: { type: 'number', exclusiveMinimum: 0, default: training.maxGradNorm, example: training.maxGradNorm },
        dropout: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: training.dropout, example: training.dropout },
        seed: { type: 'integer', minimum: 0, maximum: maxSeed, default: training.seed, example: training.seed },
        earlyStoppingPatience: { type: 'integer', minimum: 0, default: training.earlyStoppingPatience, example: training.earlyStoppingPatience },
        checkpointEverySteps: { type: 'integer', minimum: 1, default: training.checkpointEverySteps, example: training.checkpointEverySteps },
      },
    },
    backend: { type: 'string', enum: ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'], default: defaultBackend, example: 'auto' },
    targets: {
      type: 'object',
      example: '{ "accuracy": 0.9 }',
      required: [],
      properties: {
        accuracy: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: defaultTargets.accuracy, example: defaultTargets.accuracy },
      },
    },
    output: { type: 'string', minLength: 1, default: defaultOutput, example: defaultOutput },
  },
};
