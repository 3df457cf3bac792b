// The BERT configuration, with the field names of Hugging Face's config.json (transformers BertConfig).
import { UserInputError } from '../../../shared/errors';
import { t } from '../../../shared/l10n';

export interface BertConfig {
  /** Number of token ids. Default 30522, as bert-base-uncased. bert-base-chinese has 21128. */
  vocab_size: number;
  /** Width of every hidden state. Default 768. */
  hidden_size: number;
  /** Number of encoder layers. Default 12. */
  num_hidden_layers: number;
  /** Attention heads per layer, a divisor of hidden_size. Default 12. */
  num_attention_heads: number;
  /** Width of the feed-forward layer. Default 3072. */
  intermediate_size: number;
  /** Activation of the feed-forward layer. Only "gelu" (the exact erf form) is supported. */
  hidden_act: 'gelu';
  /** Dropout after embeddings, attention output and feed-forward output. Default 0.1. */
  hidden_dropout_prob: number;
  /** Dropout on the attention probabilities. Default 0.1. */
  attention_probs_dropout_prob: number;
  /** Maximum sequence length the position embeddings cover. Default 512. */
  max_position_embeddings: number;
  /** Number of token type (segment) ids. Default 2. */
  type_vocab_size: number;
  /** Epsilon added to the variance in LayerNorm. Default 1e-12. */
  layer_norm_eps: number;
  /** Standard deviation of the normal initialisation. Default 0.02. */
  initializer_range: number;
  /** Token id of [PAD], whose word embedding starts at zero. Default 0. */
  pad_token_id: number;
  /** Dropout before the classifier, or null for hidden_dropout_prob. Default null. */
  classifier_dropout: number | null;
  /** Label names by class index, with string keys as in config.json ("0": "好评"). */
  id2label: Record<string, string>;
  /** Class index by label name. */
  label2id: Record<string, number>;
}

/** BertConfig defaults of Hugging Face transformers, with two labels as BertForSequenceClassification has. */
export const defaultBertConfig: BertConfig = {
  vocab_size: 30522,
  hidden_size: 768,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  intermediate_size: 3072,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  max_position_embeddings: 512,
  type_vocab_size: 2,
  layer_norm_eps: 1e-12,
  initializer_range: 0.02,
  pad_token_id: 0,
  classifier_dropout: null,
  id2label: { '0': 'LABEL_0', '1': 'LABEL_1' },
  label2id: { LABEL_0: 0, LABEL_1: 1 },
};

/** Builds a full configuration from some fields, filling the rest from the defaults and checking it. */
export function makeBertConfig(fields: Partial<BertConfig>, file = 'config.json'): BertConfig {
  const config: BertConfig = { ...defaultBertConfig, ...fields };
  validateBertConfig(config, file);
  return config;
}

/**
 * Reads the BERT fields of a parsed config.json. Unknown fields are ignored, and missing fields take the
 * transformers defaults. Throws UserInputError naming the file and field when a value is unusable.
 */
export function parseBertConfig(json: unknown, file = 'config.json'): BertConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new UserInputError(t('{0} must contain a JSON object. Download the model again.', file), { file });
  }
  const source = json as Record<string, unknown>;

  // RoBERTa-style checkpoints offset position ids and relative position embeddings add weights, so
  // running them through this BERT would load without error but compute something else.
  if (source.model_type !== undefined && source.model_type !== 'bert') {
    throw new UserInputError(
      t('"model_type" in {0} is "{1}", but only "bert" models can be trained as classifiers. Choose a BERT checkpoint.', file, String(source.model_type)),
      { file, field: 'model_type' },
    );
  }
  if (source.position_embedding_type !== undefined && source.position_embedding_type !== 'absolute') {
    throw new UserInputError(
      t('"position_embedding_type" in {0} is "{1}", but only "absolute" is supported. Choose a checkpoint with absolute position embeddings.', file, String(source.position_embedding_type)),
      { file, field: 'position_embedding_type' },
    );
  }

  const fields: Partial<BertConfig> = {};
  for (const key of Object.keys(defaultBertConfig) as (keyof BertConfig)[]) {
    if (source[key] !== undefined) (fields as Record<string, unknown>)[key] = source[key];
  }
  // transformers' "gelu_python" is the same erf form as "gelu", written in Python.
  if (fields.hidden_act === ('gelu_python' as string)) fields.hidden_act = 'gelu';
  return makeBertConfig(fields, file);
}

function validateBertConfig(config: BertConfig, file: string): void {
  const positiveIntegers: (keyof BertConfig)[] = [
    'vocab_size',
    'hidden_size',
    'num_hidden_layers',
    'num_attention_heads',
    'intermediate_size',
    'max_position_embeddings',
    'type_vocab_size',
  ];
  for (const field of positiveIntegers) {
    const value = config[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new UserInputError(t('"{0}" in {1} must be a positive integer, but it is {2}.', field, file, JSON.stringify(value)), { file, field });
    }
  }
  if (config.hidden_size % config.num_attention_heads !== 0) {
    throw new UserInputError(
      t('"hidden_size" ({0}) in {1} must be a multiple of "num_attention_heads" ({2}).', config.hidden_size, file, config.num_attention_heads),
      { file, field: 'hidden_size' },
    );
  }
  if (config.hidden_act !== 'gelu') {
    throw new UserInputError(
      t('"hidden_act" in {0} is "{1}", but only "gelu" is supported. Choose a BERT checkpoint that uses gelu.', file, String(config.hidden_act)),
      { file, field: 'hidden_act' },
    );
  }
  for (const field of ['hidden_dropout_prob', 'attention_probs_dropout_prob'] as const) {
    const value = config[field];
    if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
      throw new UserInputError(t('"{0}" in {1} must be at least 0 and less than 1.', field, file), { file, field });
    }
  }
}

/** Number of classes the configuration's label map describes. */
export function numLabelsOf(config: BertConfig): number {
  return Object.keys(config.id2label).length;
}
