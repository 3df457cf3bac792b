// Pretrained models offered in the model picker, with display data. Every figure is approximate: sizes
// and parameter counts are computed from the architecture (float32, including the pretraining head the
// checkpoint ships), not read from the hub, and may differ from a repository's current files by a few
// percent. The `architecture` objects repeat the config.json fields our models read, as published in
// each repository; resolveModel downloads the real config.json, which is what training uses.

/** Rough training and inference speed on a laptop CPU, from the encoder's compute per token. */
export type CpuSpeedClass = 'fast' | 'medium' | 'slow';

export interface PublishedAccuracy {
  /** Benchmark and split, such as `XNLI (Chinese) test`. */
  benchmark: string;
  /** Accuracy between 0 and 1; the average over the runs the source reports. */
  accuracy: number;
  source: string;
}

export interface BertArchitecture {
  model_type: 'bert';
  architectures: string[];
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  intermediate_size: number;
  max_position_embeddings: number;
  vocab_size: number;
  type_vocab_size: number;
  hidden_act: string;
  layer_norm_eps: number;
}

export interface Gpt2Architecture {
  model_type: 'gpt2';
  architectures: string[];
  n_embd: number;
  n_layer: number;
  n_head: number;
  n_positions: number;
  n_ctx: number;
  vocab_size: number;
  activation_function: string;
  layer_norm_epsilon: number;
}

export interface HubModelPreset {
  /** Value of `model.base`: a Hugging Face hub id. */
  id: string;
  family: 'bert' | 'gpt2';
  /** The task kind of finetune.json this model suits. */
  task: 'classification' | 'faq';
  /** Approximate download size of the weights and tokenizer files, in MB. */
  downloadSizeMb: number;
  /** Approximate parameter count, in millions. */
  parametersMillions: number;
  /**
   * `fast`: under a tenth of BERT-base's compute per token; `medium`: under half; `slow`: BERT-base
   * size. Approximate, from layer count and width only.
   */
  cpuSpeed: CpuSpeedClass;
  /** A published result on a Chinese benchmark, where its authors report one. */
  publishedAccuracy?: PublishedAccuracy;
  architecture: BertArchitecture | Gpt2Architecture;
}

const chineseBertWwmReport = 'Cui et al., Pre-Training with Whole Word Masking for Chinese BERT (arXiv:1906.08101), GitHub README of ymcui/Chinese-BERT-wwm';

/** BERT-base as Google released it for Chinese: 12 layers, 768 wide, character vocabulary of 21,128. */
const bertBaseChinese: BertArchitecture = {
  model_type: 'bert',
  architectures: ['BertForMaskedLM'],
  hidden_size: 768,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  intermediate_size: 3072,
  max_position_embeddings: 512,
  vocab_size: 21128,
  type_vocab_size: 2,
  hidden_act: 'gelu',
  layer_norm_eps: 1e-12,
};

export const hubModelPresets: readonly HubModelPreset[] = [
  {
    id: 'bert-base-chinese',
    family: 'bert',
    task: 'classification',
    downloadSizeMb: 412,
    parametersMillions: 102,
    cpuSpeed: 'slow',
    publishedAccuracy: { benchmark: 'XNLI (Chinese) test', accuracy: 0.775, source: chineseBertWwmReport },
    architecture: bertBaseChinese,
  },
  {
    id: 'hfl/chinese-roberta-wwm-ext',
    family: 'bert',
    task: 'classification',
    downloadSizeMb: 412,
    parametersMillions: 102,
    cpuSpeed: 'slow',
    publishedAccuracy: { benchmark: 'XNLI (Chinese) test', accuracy: 0.783, source: chineseBertWwmReport },
    // A BERT trained the RoBERTa way: it loads as BERT, not as RoBERTa.
    architecture: bertBaseChinese,
  },
  {
    id: 'hfl/rbt3',
    family: 'bert',
    task: 'classification',
    downloadSizeMb: 155,
    parametersMillions: 38,
    cpuSpeed: 'medium',
    // NOTE: HFL reports RBT3 results in the Chinese-BERT-wwm README, but the copy checked lacked them, so none is given.
    architecture: { ...bertBaseChinese, num_hidden_layers: 3 },
  },
  {
    // A MiniLM-sized Chinese encoder: 4 layers, 256 wide, the same vocabulary as bert-base-chinese.
    id: 'uer/chinese_roberta_L-4_H-256',
    family: 'bert',
    task: 'classification',
    downloadSizeMb: 36,
    parametersMillions: 9,
    cpuSpeed: 'fast',
    architecture: {
      ...bertBaseChinese,
      hidden_size: 256,
      num_hidden_layers: 4,
      num_attention_heads: 4,
      intermediate_size: 1024,
    },
  },
  {
    id: 'uer/gpt2-chinese-cluecorpussmall',
    family: 'gpt2',
    task: 'faq',
    downloadSizeMb: 421,
    parametersMillions: 102,
    cpuSpeed: 'slow',
    architecture: {
      model_type: 'gpt2',
      architectures: ['GPT2LMHeadModel'],
      n_embd: 768,
      n_layer: 12,
      n_head: 12,
      n_positions: 1024,
      n_ctx: 1024,
      // The BERT character vocabulary, read from vocab.txt by a BERT tokenizer, not GPT-2's byte-level BPE.
      vocab_size: 21128,
      activation_function: 'gelu_new',
      layer_norm_epsilon: 1e-5,
    },
  },
];

export function findHubModelPreset(id: string): HubModelPreset | undefined {
  return hubModelPresets.find((preset) => preset.id === id);
}
