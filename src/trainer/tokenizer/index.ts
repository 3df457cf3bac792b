// Tokenizers for the trainer, from transformers.js. A model folder with tokenizer.json loads as it is; a
// folder with only vocab.txt (older Chinese checkpoints such as bert-base-chinese's first release) gets a
// BERT WordPiece tokenizer.json built in memory with the settings of Hugging Face's BertTokenizerFast.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserInputError } from '../../shared/errors';
import { t } from '../../shared/l10n';

/** Token ids of one text after truncation, [CLS] and [SEP] included. */
export interface Encoding {
  inputIds: number[];
  /** True when the text had more tokens than maxLength allows and was cut. */
  truncated: boolean;
}

export interface TextTokenizer {
  readonly vocabSize: number;
  readonly padTokenId: number;
  readonly unkTokenId: number;
  /** Encodes one text the same way in training and prediction: special tokens, then truncation. */
  encode(text: string, maxLength: number): Encoding;
  /** Word pieces without special tokens, for hover and diagnostics. */
  tokenize(text: string): string[];
}

/** The transformers.js surface used here; typed locally because its .d.ts pulls in ONNX Runtime types. */
interface PreTrainedTokenizerLike {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
  tokenize(text: string): string[];
  get_vocab(): Map<string, number>;
  pad_token_id: number;
  unk_token_id: number;
  sep_token_id: number;
}

type TokenizerConstructor = new (tokenizerJSON: object, tokenizerConfig: object) => PreTrainedTokenizerLike;

export const tokenizerFiles = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt'];

/** Loads the tokenizer of a model folder: tokenizer.json when present, otherwise vocab.txt. */
export async function loadTokenizer(folder: string): Promise<TextTokenizer> {
  const tokenizerJsonPath = path.join(folder, 'tokenizer.json');
  const vocabPath = path.join(folder, 'vocab.txt');
  const config = readJsonIfExists(path.join(folder, 'tokenizer_config.json')) ?? {};

  let tokenizerJson: object;
  if (fs.existsSync(tokenizerJsonPath)) {
    tokenizerJson = JSON.parse(fs.readFileSync(tokenizerJsonPath, 'utf8')) as object;
  } else if (fs.existsSync(vocabPath)) {
    const lowercase = (config as { do_lower_case?: boolean }).do_lower_case ?? true;
    tokenizerJson = bertTokenizerJson(readVocab(vocabPath), lowercase);
  } else {
    throw new UserInputError(
      t('The model folder {0} has neither tokenizer.json nor vocab.txt. Use a folder downloaded from the Hugging Face hub, or set model.base to a hub id.', folder),
      { file: folder, field: 'model.base' },
    );
  }

  const constructor = await bertTokenizerClass();
  const tokenizer = new constructor(tokenizerJson, { tokenizer_class: 'BertTokenizer', ...bertSpecialTokens, ...config });
  return wrap(tokenizer, vocabularySize(tokenizerJson));
}

/** Reads vocab.txt: one token a line, id = line number from 0. */
export function readVocab(file: string): string[] {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Builds the tokenizer.json of a BERT WordPiece tokenizer: BertNormalizer (Chinese characters split,
 * accents stripped when lowercasing), BertPreTokenizer, WordPiece with `##` continuations and the
 * `[CLS] A [SEP]` template.
 */
export function bertTokenizerJson(vocab: string[], lowercase: boolean): object {
  const ids: Record<string, number> = {};
  // A token listed twice keeps its last id, as transformers' load_vocab does.
  vocab.forEach((token, id) => {
    ids[token] = id;
  });
  for (const special of ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']) {
    if (!(special in ids)) {
      throw new UserInputError(t('vocab.txt lacks the special token {0}; it is not a BERT vocabulary.', special), { field: 'model.base' });
    }
  }
  const special = (content: string) => ({
    id: ids[content],
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map(special),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [ids['[CLS]']], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [ids['[SEP]']], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: ids },
  };
}

/** Writes the tokenizer files a saved model needs so Python's transformers and this product load it. */
export function writeTokenizerFiles(sourceFolder: string, targetFolder: string): void {
  for (const name of tokenizerFiles) {
    const source = path.join(sourceFolder, name);
    if (fs.existsSync(source)) fs.copyFileSync(source, path.join(targetFolder, name));
  }
  const configPath = path.join(targetFolder, 'tokenizer_config.json');
  if (!fs.existsSync(configPath)) {
    const config = { tokenizer_class: 'BertTokenizer', do_lower_case: true, model_max_length: 512 };
    fs.writeFileSync(configPath, JSON.stringify(config, null, 2) + '\n');
  }
}

const bertSpecialTokens = { pad_token: '[PAD]', unk_token: '[UNK]', cls_token: '[CLS]', sep_token: '[SEP]', mask_token: '[MASK]' };

/** Counts ids, not distinct strings: vocab.txt files may repeat a token, and every line is an id. */
function vocabularySize(tokenizerJson: object): number {
  let size = 0;
  for (const id of Object.values((tokenizerJson as { model?: { vocab?: Record<string, number> } }).model?.vocab ?? {})) {
    size = Math.max(size, id + 1);
  }
  return size;
}

function wrap(tokenizer: PreTrainedTokenizerLike, vocabSize: number): TextTokenizer {
  return {
    vocabSize,
    padTokenId: tokenizer.pad_token_id,
    unkTokenId: tokenizer.unk_token_id,
    encode(text: string, maxLength: number): Encoding {
      const ids = tokenizer.encode(text, { add_special_tokens: true });
      if (ids.length <= maxLength) return { inputIds: ids, truncated: false };
      // Keep the head of the text and the closing [SEP], as transformers' truncation='longest_first' does.
      const kept = ids.slice(0, maxLength - 1);
      kept.push(tokenizer.sep_token_id);
      return { inputIds: kept, truncated: true };
    },
    tokenize: (text: string) => tokenizer.tokenize(text),
  };
}

let cachedClass: TokenizerConstructor | undefined;

async function bertTokenizerClass(): Promise<TokenizerConstructor> {
  if (!cachedClass) {
    const transformers = (await import('@huggingface/transformers')) as unknown as { BertTokenizer: TokenizerConstructor };
    cachedClass = transformers.BertTokenizer;
  }
  return cachedClass;
}

function readJsonIfExists(file: string): Record<string, unknown> | undefined {
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
}
