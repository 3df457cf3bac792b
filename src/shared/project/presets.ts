// Base models the product knows by name. `builtin:` presets need no download: they are built from the
// Chinese BERT vocabulary shipped in resources/ with seeded random weights, so they are NOT pretrained
// and carry hyperparameters for training from scratch.

import type { TrainingConfig } from './types';

export interface ModelPreset {
  /** Value of `model.base` in finetune.json. */
  id: string;
  family: 'bert' | 'gpt2';
  pretrained: boolean;
  /** Download size in MB, approximate, for the model picker. */
  sizeMb: number;
  /** Training fields that replace the generic defaults when the user leaves them out. */
  trainingDefaults: Partial<TrainingConfig>;
  maxLength: number;
  /** Architecture of a builtin preset, in Hugging Face config.json field names. */
  architecture?: {
    hidden_size: number;
    num_hidden_layers: number;
    num_attention_heads: number;
    intermediate_size: number;
    max_position_embeddings: number;
  };
}

/** The offline default: a small BERT that trains from scratch in minutes on a laptop CPU. */
export const builtinTinyChineseBert: ModelPreset = {
  id: 'builtin:tiny-chinese-bert',
  family: 'bert',
  pretrained: false,
  sizeMb: 12,
  // Random weights need a learning rate far above the 2e-5 used to fine-tune a pretrained encoder,
  // and more epochs: these values reached the benchmark's accuracy on 10k reviews (bench/waimai).
  trainingDefaults: { learningRate: 1e-3, batchSize: 32, epochs: 6, warmupRatio: 0.1, weightDecay: 0.01, dropout: 0.1 },
  maxLength: 64,
  architecture: {
    hidden_size: 128,
    num_hidden_layers: 2,
    num_attention_heads: 2,
    intermediate_size: 512,
    max_position_embeddings: 128,
  },
};

/** Generic defaults for fine-tuning a pretrained encoder (as recommended for BERT fine-tuning). */
export const pretrainedTrainingDefaults: TrainingConfig = {
  learningRate: 2e-5,
  batchSize: 8,
  epochs: 3,
  weightDecay: 0.01,
  warmupRatio: 0.1,
  maxGradNorm: 1.0,
  dropout: 0.1,
  seed: 42,
  earlyStoppingPatience: 2,
  checkpointEverySteps: 50,
};

export const builtinPresets: ModelPreset[] = [builtinTinyChineseBert];

export function findPreset(base: string): ModelPreset | undefined {
  return builtinPresets.find((preset) => preset.id === base);
}
